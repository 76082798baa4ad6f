/**
 * A small RFC 4180 CSV reader for site manifests: comma-separated, fields optionally in double
 * quotes (with "" for a quote, and commas or newlines inside), CRLF or LF line ends, a UTF-8 BOM
 * tolerated. Each record keeps the line number it starts on, so errors can point into the file.
 */
export interface CsvRecord {
  /** 1-based line in the file where the record starts. */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly line: number, reason: string) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quotedField = false;
  const endRecord = (): void => {
    fields.push(field);
    // A line with nothing on it is not a record (blank lines between rows are common in hand edits).
    if (!(fields.length === 1 && fields[0] === '' && !quotedField)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    quotedField = false;
  };
  while (i < s.length) {
    const ch = s[i];
    if (ch === '"' && field === '' && !quotedField) {
      // quoted field: read to the closing quote
      quotedField = true;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= s.length) throw new CsvSyntaxError(startLine, 'a quoted field is never closed');
        const c = s[i];
        if (c === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = s[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvSyntaxError(line, 'unexpected text after a closing quote');
      }
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      quotedField = false;
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && s[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      if (quotedField) throw new CsvSyntaxError(line, 'unexpected text after a closing quote');
      field += ch;
      i++;
    }
  }
  if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return records;
}
