/**
 * Chest CT rows → patient bags for the classifier (SIM takes all of a patient's slices as one bag,
 * paper 3.2.2): every scan read with readVolume, windowed/cropped/resized by the paper's
 * classification pipeline (4.1.2), a patient's scans concatenated in manifest order. Training
 * copies get one seeded augmentation draw per scan (crop box and flip for the whole volume), so
 * the same seed and manifest give the same tensors. Target: NCP (COVID-19) positive, CP and
 * Normal negative. Unreadable or unlabelled rows are skipped with the reason, never fatal.
 */
import { createRng, isCovidPositive, preprocessClassifyVolume, readVolume, sampleClassifyAugmentation, type ChestTruth, type Rng } from '@unbox/data';
import type { PatientSlices } from '@unbox/models';
import { toChannels } from './channels.js';
import { byPatient, type ManifestRow, type SkippedRow } from './manifests.js';

export interface ClassifyLoadOptions {
  size: number;
  channels: number;
  /** seed of the augmentation draws; null = evaluation (whole slice, no flip). */
  augmentSeed: number | null;
  /** ground truth per centre and patient: per-slice labels for image-level metrics (never for training). */
  truth?: Map<string, Map<string, ChestTruth>>;
  onPatient?: (done: number, total: number) => void;
}

export interface LoadedPatients {
  patients: PatientSlices[];
  skipped: SkippedRow[];
}

/** Per-slice truth: positive where an NCP patient's lesion run covers the slice. */
export function sliceLabelsFromTruth(t: ChestTruth, slices: number): (0 | 1)[] | undefined {
  if (!isCovidPositive(t.label)) return Array.from({ length: slices }, () => 0);
  if (!t.lesion_slices) return undefined;
  const [first, last] = t.lesion_slices;
  if (last >= slices) return undefined; // index from another grid: fall back to the patient label
  return Array.from({ length: slices }, (_, s) => (s >= first && s <= last ? 1 : 0));
}

export async function loadClassifyPatients(rows: ManifestRow[], opts: ClassifyLoadOptions): Promise<LoadedPatients> {
  const out: LoadedPatients = { patients: [], skipped: [] };
  const groups = byPatient(rows);
  const rng: Rng | null = opts.augmentSeed === null ? null : createRng(opts.augmentSeed);
  let done = 0;
  for (const group of groups) {
    // One fork per patient, drawn even when the patient is skipped, so one bad row does not shift the others' draws.
    const prng = rng?.fork() ?? null;
    const { centre, entry } = group[0];
    const skip = (r: ManifestRow, reason: string) => out.skipped.push({ manifest: r.manifest, row: r.row, patient: r.entry.patient, reason });
    const label = group.find((r) => r.entry.label !== undefined)?.entry.label;
    if (label === undefined) {
      for (const r of group) skip(r, 'no label: a classify row needs NCP, CP or Normal for training or evaluation');
      opts.onPatient?.(++done, groups.length);
      continue;
    }
    const parts: Float32Array[] = [];
    let slices = 0;
    for (const r of group) {
      for (const path of r.entry.paths) {
        try {
          const v = await readVolume(path);
          if (v.channels !== 1) throw new Error(`${path}: ${v.channels}-channel image; the classifier reads single-channel CT in HU`);
          const aug = prng ? sampleClassifyAugmentation(prng, v.rows, v.columns) : null;
          parts.push(toChannels(preprocessClassifyVolume(v, aug, { size: opts.size }), opts.channels));
          slices += v.slices;
        } catch (e) {
          skip(r, (e as Error).message);
        }
      }
    }
    opts.onPatient?.(++done, groups.length);
    if (slices === 0) continue;
    const data = new Float32Array(slices * opts.size * opts.size * opts.channels);
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    const truth = opts.truth?.get(centre)?.get(entry.patient);
    const sliceLabels = truth && parts.length === 1 ? sliceLabelsFromTruth(truth, slices) : undefined;
    out.patients.push({
      id: entry.patient, centre, label: isCovidPositive(label) ? 1 : 0, data, slices, size: opts.size, channels: opts.channels,
      ...(sliceLabels ? { sliceLabels } : {}),
    });
  }
  return out;
}
