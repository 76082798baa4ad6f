import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';

describe('CSV reader', () => {
  it('reads quoted fields with commas, escaped quotes and newlines; keeps line numbers', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\n\n2,"two\nlines",\n3,,last';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, y', 'say "hi"'] },
      { line: 4, fields: ['2', 'two\nlines', ''] },
      { line: 6, fields: ['3', '', 'last'] },
    ]);
  });

  it('keeps an explicitly quoted empty record and reports unclosed quotes with their line', () => {
    expect(parseCsv('""\n')).toEqual([{ line: 1, fields: [''] }]);
    expect(() => parseCsv('a\n"open,\n')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('"a"b\n')).toThrow(/after a closing quote/);
  });
});
