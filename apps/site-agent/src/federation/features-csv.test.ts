import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFeaturesCsv } from './features-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'unbox-features-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('feature tables', () => {
  it('reads splits, labels and features', () => {
    const d = readFeaturesCsv(file('ok.csv', 'split,label,a,b\ntrain,1,0.5,1\ntrain,0,-0.5,-1\r\ntest,1,1,2\n\n'));
    expect(d.train.d).toBe(2);
    expect(Array.from(d.train.x)).toEqual([0.5, 1, -0.5, -1]);
    expect(Array.from(d.train.y)).toEqual([1, 0]);
    expect(Array.from(d.test!.x)).toEqual([1, 2]);
    expect(d.val).toBeUndefined();
  });

  it('refuses bad rows with the line at fault', () => {
    expect(() => readFeaturesCsv(file('a.csv', 'split,label,a\ntrain,1,0.5\ntrain,2,0.1\n'))).toThrow(/a\.csv: line 3: label '2' is not 0 or 1/);
    expect(() => readFeaturesCsv(file('b.csv', 'split,label,a\ntrain,1,x\n'))).toThrow(/line 2: feature 'a' is not a finite number/);
    expect(() => readFeaturesCsv(file('c.csv', 'split,label,a\ntrain,1\n'))).toThrow(/line 2: 2 values, the header has 3/);
    expect(() => readFeaturesCsv(file('d.csv', 'split,label,a\nholdout,1,1\n'))).toThrow(/split 'holdout'/);
    expect(() => readFeaturesCsv(file('e.csv', 'label,a\n'))).toThrow(/line 1: expected a header/);
    expect(() => readFeaturesCsv(file('f.csv', 'split,label,a\ntest,1,1\n'))).toThrow(/no train rows/);
    expect(() => readFeaturesCsv(join(dir, 'missing.csv'))).toThrow(/missing\.csv/);
  });
});
