/**
 * The rows of one or more site manifests that a training or evaluation run uses: loaded and
 * validated (no image read here), filtered by task and split. Invalid rows are reported and
 * skipped, never fatal: one bad entry does not stop a site's training. A manifest that cannot be
 * read at all is a ManifestError (file and reason), which the CLI reports as a user error.
 */
import { loadManifest, type BadEntry, type ResolvedEntry, type Split } from '@unbox/data';
import type { TaskName } from './config.js';

export interface ManifestRow {
  centre: string;
  manifest: string;
  row: number;
  entry: ResolvedEntry;
}

export interface SkippedRow {
  manifest: string;
  row: number;
  patient: string | null;
  reason: string;
}

export interface SelectedRows {
  rows: ManifestRow[];
  skipped: SkippedRow[];
  centres: string[];
}

export async function selectRows(manifests: string[], task: TaskName, splits: readonly Split[]): Promise<SelectedRows> {
  const out: SelectedRows = { rows: [], skipped: [], centres: [] };
  for (const path of manifests) {
    const m = await loadManifest(path);
    out.centres.push(m.manifest.centre);
    for (const b of m.bad) out.skipped.push(skipOf(m.manifest.path, b));
    for (const { row, entry } of m.entries) {
      if (entry.task !== task || !splits.includes(entry.split)) continue;
      out.rows.push({ centre: m.manifest.centre, manifest: m.manifest.path, row, entry });
    }
  }
  return out;
}

function skipOf(manifest: string, b: BadEntry): SkippedRow {
  return { manifest, row: b.row, patient: b.patient, reason: `${b.kind}: ${b.reason}` };
}

/** Rows grouped by centre and patient (a patient's scans form one bag), manifest order kept. */
export function byPatient(rows: ManifestRow[]): ManifestRow[][] {
  const groups = new Map<string, ManifestRow[]>();
  for (const r of rows) {
    const key = `${r.centre}\u0000${r.entry.patient}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()];
}
