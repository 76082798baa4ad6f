/**
 * Pure manifest parsing: text -> rows, each validated on its own against the zod schema. No I/O,
 * so every rule here is unit-tested without files. A problem with the manifest as a whole (not
 * JSON, no header, unknown column) is a ManifestError; a problem with one row is a RowProblem.
 */
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { ClassLabel, Manifest, ManifestEntry } from './schema.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

export type ManifestFormat = 'json' | 'csv';

/** The manifest file itself is unusable (the rows could not even be found). */
export class ManifestError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'ManifestError';
  }
}

/** One row as found in the file, before validation. */
export interface RawRow {
  /** 1-based entry number (JSON: index in `entries` + 1; CSV: data row, header excluded). */
  row: number;
  /** CSV only: 1-based line in the file. */
  line?: number;
  value: unknown;
}

export interface ParsedManifest {
  format: ManifestFormat;
  centre: string;
  rows: RawRow[];
}

/** What can be wrong with one entry; `reason` is the sentence shown to people. */
export type ProblemKind =
  | 'bad-field'
  | 'unknown-label'
  | 'missing-file'
  | 'unreadable-file'
  | 'wrong-dimensions'
  | 'wrong-modality'
  | 'mask-mismatch'
  | 'split-conflict';

export interface RowProblem {
  kind: ProblemKind;
  reason: string;
}

export const CSV_COLUMNS = ['patient', 'task', 'label', 'modality', 'slice_thickness', 'split', 'paths', 'mask', 'dims'] as const;
const REQUIRED_COLUMNS = ['patient', 'task', 'modality', 'slice_thickness', 'split', 'paths'] as const;

export function formatOf(fileName: string, text: string): ManifestFormat {
  if (/\.json$/i.test(fileName)) return 'json';
  if (/\.csv$/i.test(fileName)) return 'csv';
  return text.trimStart().startsWith('{') ? 'json' : 'csv';
}

/** Split manifest text into raw rows. `file` only names the manifest in errors. */
export function parseManifestText(text: string, file: string, format: ManifestFormat = formatOf(file, text), defaultCentre = ''): ParsedManifest {
  return format === 'json' ? parseJson(text, file) : parseCsvManifest(text, file, defaultCentre);
}

function parseJson(text: string, file: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(file, `not valid JSON (${(e as Error).message})`);
  }
  const top = Manifest.safeParse(doc);
  if (!top.success) {
    const what = top.error.issues.map((i) => describeTopIssue(i)).join('; ');
    throw new ManifestError(file, `not a site manifest: ${what}. Expected {"version": 1, "centre": "...", "entries": [...]}`);
  }
  return { format: 'json', centre: top.data.centre, rows: top.data.entries.map((value, k) => ({ row: k + 1, value })) };
}

function describeTopIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `"${field}": ${issue.message}`;
}

function parseCsvManifest(text: string, file: string, defaultCentre: string): ParsedManifest {
  // Leading '#' lines are comments; "# centre: A" names the centre (CSV has no other place for it).
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let centre = defaultCentre;
  let skip = 0;
  while (skip < lines.length && (lines[skip].trim() === '' || lines[skip].trimStart().startsWith('#'))) {
    const m = /^\s*#\s*centre\s*[:=]\s*(.+?)\s*$/i.exec(lines[skip]);
    if (m) centre = m[1];
    skip++;
  }
  let records;
  try {
    records = parseCsv(lines.slice(skip).join('\n'));
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ManifestError(file, `CSV syntax error at line ${e.line + skip}: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
  if (records.length === 0) throw new ManifestError(file, 'empty CSV: expected a header row naming the columns');
  const header = records[0].fields.map((h) => h.trim());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) {
    throw new ManifestError(file, `unknown column(s) ${unknown.map((h) => `"${h}"`).join(', ')} in the header; allowed: ${CSV_COLUMNS.join(', ')}`);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) throw new ManifestError(file, `missing column(s) ${missing.map((h) => `"${h}"`).join(', ')} in the header`);
  const dup = header.find((h, k) => header.indexOf(h) !== k);
  if (dup) throw new ManifestError(file, `column "${dup}" appears twice in the header`);
  if (centre === '') throw new ManifestError(file, 'no centre: add a first line "# centre: <name>"');
  const rows: RawRow[] = records.slice(1).map((rec, k) => ({ row: k + 1, line: rec.line + skip, value: csvRowToObject(header, rec.fields) }));
  return { format: 'csv', centre, rows };
}

/**
 * CSV cells are strings: convert the typed columns so that the same zod schema validates JSON and
 * CSV rows. A cell that does not convert stays a string, and zod names it.
 */
export function csvRowToObject(header: string[], cells: string[]): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  if (cells.length > header.length) obj['(extra cells)'] = cells.slice(header.length).join(',');
  header.forEach((col, k) => {
    const cell = (cells[k] ?? '').trim();
    if (cell === '') return; // empty = absent (optional columns)
    switch (col) {
      case 'slice_thickness':
        obj[col] = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) ? Number(cell) : cell;
        break;
      case 'paths':
        obj[col] = cell.split(';').map((p) => p.trim()).filter((p) => p !== '');
        break;
      case 'dims': {
        const m = /^(\d+)\s*[x×]\s*(\d+)$/i.exec(cell);
        obj[col] = m ? [Number(m[1]), Number(m[2])] : cell;
        break;
      }
      default:
        obj[col] = cell;
    }
  });
  return obj;
}

/** A validated entry with its paths made absolute (relative ones resolve against the manifest folder). */
export type ResolvedEntry = ManifestEntry;

export type RowResult = { ok: true; entry: ResolvedEntry } | { ok: false; problem: RowProblem };

export function validateRow(raw: unknown, manifestDir: string): RowResult {
  const parsed = ManifestEntry.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: describeRowIssues(parsed.error.issues, raw) };
  const e = parsed.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(manifestDir, p));
  return { ok: true, entry: { ...e, paths: e.paths.map(abs), ...(e.mask !== undefined ? { mask: abs(e.mask) } : {}) } };
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Turn zod's issues into one sentence an IT person can act on; unknown labels get their own kind. */
export function describeRowIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): RowProblem {
  const obj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (!obj) return { kind: 'bad-field', reason: `entry is ${show(raw)}, not an object with fields` };
  let kind: ProblemKind = 'bad-field';
  const parts = issues.map((issue) => {
    const field = String(issue.path[0] ?? '');
    const value = obj[field];
    if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    if (field === 'label' && issue.code === 'invalid_value') {
      kind = 'unknown-label';
      return `unknown label ${show(value)} (expected one of ${ClassLabel.options.join(', ')})`;
    }
    if (value === undefined && issue.code === 'invalid_type') return `"${field}" is missing`;
    if (issue.code === 'invalid_value') return `"${field}" is ${show(value)}, expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    if (issue.code === 'invalid_type') return `"${field}" is ${show(value)}, expected ${issue.expected === 'tuple' && field === 'dims' ? '[rows, columns] (CSV: ROWSxCOLUMNS)' : `a ${issue.expected}`}`;
    return `"${[field, ...issue.path.slice(1)].join('.')}": ${issue.message}`;
  });
  return { kind, reason: parts.join('; ') };
}

/** A row that failed, as reports show it. */
export interface BadEntry {
  row: number;
  line?: number;
  /** patient id when the row has one (even an invalid row usually does). */
  patient: string | null;
  kind: ProblemKind;
  reason: string;
}

export function badOf(row: number, line: number | undefined, patient: string | null, p: RowProblem): BadEntry {
  return { row, ...(line !== undefined ? { line } : {}), patient, kind: p.kind, reason: p.reason };
}

export function patientOf(raw: unknown): string | null {
  const p = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).patient : undefined;
  return typeof p === 'string' && p !== '' ? p : null;
}
