/**
 * `data check`: load a manifest, validate every row on its own, open every image it names, and
 * sort the entries into good and bad, each bad one with its row, patient and reason. One bad row
 * never stops the others. Volumes are read a few at a time (concurrency) and only their shape is
 * kept, so checking a large site does not hold its images in memory.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { DataError, type Volume, type VolumeHeader } from '../volume.js';
import { badOf, parseManifestText, patientOf, validateRow, type BadEntry, type ManifestFormat, type ResolvedEntry, type RowProblem } from './parse.js';
import { readManifest } from './load.js';

/** What the check keeps of each image: its shape and header facts, not its voxels. */
export interface ScanInfo extends VolumeHeader {
  path: string;
  format: string;
}

export interface GoodEntry {
  row: number;
  line?: number;
  entry: ResolvedEntry;
  scans: ScanInfo[];
  mask?: ScanInfo;
}

export interface ManifestCheck {
  manifest: { path: string; format: ManifestFormat; centre: string };
  good: GoodEntry[];
  bad: BadEntry[];
}

export interface CheckOptions {
  /** reads one image (file or folder); normally readVolume from @unbox/data. */
  read: (path: string) => Promise<Volume>;
  /** images read at the same time (each may be hundreds of MB decoded). */
  concurrency?: number;
  /** called as each row finishes, in completion order (progress logs). */
  onRow?: (result: { row: number; ok: boolean }) => void;
}

/** Largest label value a segmentation mask may hold: 0 background, 1..4 the four ventricles. */
export const MAX_MASK_LABEL = 4;

export async function checkManifest(manifestPath: string, opts: CheckOptions): Promise<ManifestCheck> {
  const { path, text } = await readManifest(manifestPath);
  const parsed = parseManifestText(text, path, undefined, basename(path, extname(path)));
  const dir = dirname(path);
  const results: Array<GoodEntry | BadEntry> = new Array(parsed.rows.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < parsed.rows.length) {
      const k = next++;
      const raw = parsed.rows[k];
      try {
        results[k] = await checkRow(raw.row, raw.line, raw.value, dir, opts.read);
      } catch (err) {
        // A reader bug or an exotic file must not cost the other rows their check.
        const msg = err instanceof Error ? err.message : String(err);
        results[k] = badOf(raw.row, raw.line, patientOf(raw.value), { kind: 'unreadable-file', reason: `unexpected error: ${msg}` });
      }
      opts.onRow?.({ row: raw.row, ok: !('kind' in results[k]) });
    }
  };
  const n = Math.max(1, Math.min(opts.concurrency ?? 2, parsed.rows.length));
  await Promise.all(Array.from({ length: n }, worker));
  const good: GoodEntry[] = [];
  const bad: BadEntry[] = [];
  for (const r of results) ('kind' in r ? bad : good).push(r as never);
  // Across rows: one patient in two splits leaks test data into training. The first valid row of a
  // patient sets its split (even if that row's files are bad: the manifest itself contradicts).
  const firstSplit = new Map<string, { split: string; row: number }>();
  for (const raw of parsed.rows) {
    const v = validateRow(raw.value, dir);
    if (v.ok && !firstSplit.has(v.entry.patient)) firstSplit.set(v.entry.patient, { split: v.entry.split, row: raw.row });
  }
  const kept: GoodEntry[] = [];
  for (const g of good) {
    const seen = firstSplit.get(g.entry.patient);
    if (seen && seen.split !== g.entry.split) {
      bad.push(badOf(g.row, g.line, g.entry.patient, {
        kind: 'split-conflict',
        reason: `patient "${g.entry.patient}" is in split "${g.entry.split}" here but in "${seen.split}" at row ${seen.row}; one patient must stay in one split`,
      }));
      continue;
    }
    kept.push(g);
  }
  bad.sort((a, b) => a.row - b.row);
  return { manifest: { path, format: parsed.format, centre: parsed.centre }, good: kept, bad };
}

async function checkRow(row: number, line: number | undefined, raw: unknown, dir: string, read: CheckOptions['read']): Promise<GoodEntry | BadEntry> {
  const v = validateRow(raw, dir);
  if (!v.ok) return badOf(row, line, patientOf(raw), v.problem);
  const e = v.entry;
  const fail = (p: RowProblem): BadEntry => badOf(row, line, e.patient, p);
  const scans: ScanInfo[] = [];
  for (const p of e.paths) {
    const got = await openScan(p, read);
    if ('kind' in got) return fail(got);
    const { info, volume } = got;
    if (e.dims && (info.rows !== e.dims[0] || info.columns !== e.dims[1])) {
      return fail({ kind: 'wrong-dimensions', reason: `${p}: image is ${info.rows}x${info.columns} (rows x columns), the manifest says ${e.dims[0]}x${e.dims[1]}` });
    }
    const mod = volume.modality;
    if (mod !== null && (mod === 'CT' || mod === 'MR') && mod !== e.modality) {
      return fail({ kind: 'wrong-modality', reason: `${p}: the file says modality ${mod}, the manifest says ${e.modality}` });
    }
    scans.push(info);
  }
  let mask: ScanInfo | undefined;
  if (e.mask !== undefined) {
    const got = await openScan(e.mask, read, true);
    if ('kind' in got) return fail({ ...got, reason: `mask ${got.reason}` });
    const img = scans[0];
    const m = got.info;
    if (m.rows !== img.rows || m.columns !== img.columns || m.slices !== img.slices) {
      return fail({ kind: 'mask-mismatch', reason: `mask ${e.mask} is ${m.slices}x${m.rows}x${m.columns} (slices x rows x columns), the image is ${img.slices}x${img.rows}x${img.columns}` });
    }
    const badLabel = got.volume.data.find((x) => !(Number.isInteger(x) && x >= 0 && x <= MAX_MASK_LABEL));
    if (badLabel !== undefined) {
      return fail({ kind: 'unknown-label', reason: `mask ${e.mask} holds the value ${badLabel}; labels are integers 0..${MAX_MASK_LABEL}` });
    }
    mask = m;
  }
  return { row, ...(line !== undefined ? { line } : {}), entry: e, scans, ...(mask ? { mask } : {}) };
}

async function openScan(path: string, read: CheckOptions['read'], keepData = false): Promise<RowProblem | { info: ScanInfo; volume: Volume }> {
  try {
    await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing-file', reason: `${path}: no such file or folder` };
    return { kind: 'unreadable-file', reason: `${path}: ${(err as Error).message}` };
  }
  let volume: Volume;
  try {
    volume = await read(path);
  } catch (err) {
    const reason = err instanceof DataError ? `${err.file}: ${err.reason}` : `${path}: ${err instanceof Error ? err.message : String(err)}`;
    return { kind: 'unreadable-file', reason };
  }
  const info: ScanInfo = {
    path,
    format: volume.source.format,
    slices: volume.slices,
    rows: volume.rows,
    columns: volume.columns,
    channels: volume.channels,
    spacing: volume.spacing,
    sliceThickness: volume.sliceThickness,
    modality: volume.modality,
  };
  // Keep the voxels only when a caller needs them (mask label check); the image is dropped here.
  return { info, volume: keepData ? volume : { ...volume, data: new Float32Array(0) } };
}
