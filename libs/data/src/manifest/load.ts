/**
 * Reading a manifest file and validating its rows, without opening any image: what a training or
 * inference run needs to list its scans (`checkManifest` adds the image checks on top).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { badOf, ManifestError, parseManifestText, patientOf, validateRow, type BadEntry, type ManifestFormat, type ResolvedEntry } from './parse.js';

export async function readManifest(manifestPath: string): Promise<{ path: string; text: string }> {
  const path = resolve(manifestPath);
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new ManifestError(path, 'is a folder; give the manifest file (.json or .csv)');
    return { path, text: await readFile(path, 'utf8') };
  } catch (e) {
    if (e instanceof ManifestError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ManifestError(path, code === 'ENOENT' ? 'manifest file not found' : `cannot read the manifest (${(e as Error).message})`);
  }
}

export interface LoadedManifest {
  manifest: { path: string; format: ManifestFormat; centre: string };
  /** valid rows, paths absolute. */
  entries: { row: number; line?: number; entry: ResolvedEntry }[];
  /** rows that failed validation (bad-field / unknown-label); files are not looked at. */
  bad: BadEntry[];
}

export async function loadManifest(manifestPath: string): Promise<LoadedManifest> {
  const { path, text } = await readManifest(manifestPath);
  const parsed = parseManifestText(text, path, undefined, basename(path, extname(path)));
  const dir = dirname(path);
  const out: LoadedManifest = { manifest: { path, format: parsed.format, centre: parsed.centre }, entries: [], bad: [] };
  for (const raw of parsed.rows) {
    const v = validateRow(raw.value, dir);
    const line = raw.line !== undefined ? { line: raw.line } : {};
    if (v.ok) out.entries.push({ row: raw.row, ...line, entry: v.entry });
    else out.bad.push(badOf(raw.row, raw.line, patientOf(raw.value), v.problem));
  }
  return out;
}
