/**
 * Chest CT rows → patient bags for the classifier (SIM takes all of a patient's slices as one bag,
 * paper 3.2.2): every scan read with readVolume, windowed/cropped/resized by the paper's
 * classification pipeline (4.1.2), a patient's scans concatenated in manifest order. Target: NCP
 * (COVID-19) positive, CP and Normal negative. Unreadable or unlabelled rows are skipped with the
 * reason, never fatal.
 *
 * Training uses loadClassifyTraining: scans cached in the lung window, uncropped, with a
 * per-batch view (classify-views.ts) that draws a fresh crop and flip every step.
 * loadClassifyPatients with an `augmentSeed` instead draws once per scan at load time: a frozen
 * view the network memorises (train AUC 1.0 on it, 0.65 on another draw); it is kept only for
 * callers not yet on the per-batch view. With `augmentSeed: null` it is the evaluation view.
 */
import { createRng, isCovidPositive, preprocessClassifyVolume, readVolume, sampleClassifyAugmentation, type ChestTruth, type ResolvedEntry, type Rng, type Volume } from '@unbox/data';
import type { ClassifierConfig, PatientSlices, WindowView } from '@unbox/models';
import { toChannels } from './channels.js';
import { cacheScan, cacheSide, squareLungRoi, trainingView, wholeView, type CachedScan, type ViewAugmentation, type ViewPatient } from './classify-views.js';
import { byPatient, type ManifestRow, type SkippedRow } from './manifests.js';

export interface ClassifyLoadOptions {
  size: number;
  channels: number;
  /** seed of the augmentation draws; null = evaluation (whole slice, no flip). */
  augmentSeed: number | null;
  /** cut every scan to the square box around its lungs first (paper 4.1.2; squareLungRoi). Default false. */
  lungCrop?: boolean;
  /** ground truth per centre and patient: per-slice labels for image-level metrics (never for training). */
  truth?: Map<string, Map<string, ChestTruth>>;
  onPatient?: (done: number, total: number) => void;
}

/** What the classifier's config fixes about its input: size, channels and the lung crop, for every loader. */
export function classifyInput(cfg: Pick<ClassifierConfig, 'backbone' | 'lungCrop'>): Pick<ClassifyLoadOptions, 'size' | 'channels' | 'lungCrop'> {
  return { size: cfg.backbone.inputSize, channels: cfg.backbone.inputChannels, lungCrop: cfg.lungCrop };
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

interface PatientScans<T> {
  centre: string;
  entry: ResolvedEntry;
  label: 0 | 1;
  scans: T[];
  slices: number;
}

/** Every labelled patient's readable scans through `read`, in manifest order; unusable rows and scans go to `skipped`. */
async function readPatients<T>(rows: ManifestRow[], skipped: SkippedRow[], read: (v: Volume, path: string, prng: Rng | null) => T, augmentSeed: number | null, onPatient?: (done: number, total: number) => void): Promise<PatientScans<T>[]> {
  const out: PatientScans<T>[] = [];
  const groups = byPatient(rows);
  const rng: Rng | null = augmentSeed === null ? null : createRng(augmentSeed);
  let done = 0;
  for (const group of groups) {
    // One fork per patient, drawn even when the patient is skipped, so one bad row does not shift the others' draws.
    const prng = rng?.fork() ?? null;
    const { centre, entry } = group[0];
    const skip = (r: ManifestRow, reason: string) => skipped.push({ manifest: r.manifest, row: r.row, patient: r.entry.patient, reason });
    const label = group.find((r) => r.entry.label !== undefined)?.entry.label;
    if (label === undefined) {
      for (const r of group) skip(r, 'no label: a classify row needs NCP, CP or Normal for training or evaluation');
      onPatient?.(++done, groups.length);
      continue;
    }
    const scans: T[] = [];
    let slices = 0;
    for (const r of group) {
      for (const path of r.entry.paths) {
        try {
          const v = await readVolume(path);
          if (v.channels !== 1) throw new Error(`${path}: ${v.channels}-channel image; the classifier reads single-channel CT in HU`);
          scans.push(read(v, path, prng));
          slices += v.slices;
        } catch (e) {
          skip(r, (e as Error).message);
        }
      }
    }
    onPatient?.(++done, groups.length);
    if (slices > 0) out.push({ centre, entry, label: isCovidPositive(label) ? 1 : 0, scans, slices });
  }
  return out;
}

function concat(parts: Float32Array[]): Float32Array {
  const data = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return data;
}

function patientSlices(p: PatientScans<unknown>, data: Float32Array, opts: Pick<ClassifyLoadOptions, 'size' | 'channels' | 'truth'>): PatientSlices {
  const truth = opts.truth?.get(p.centre)?.get(p.entry.patient);
  const sliceLabels = truth && p.scans.length === 1 ? sliceLabelsFromTruth(truth, p.slices) : undefined;
  return {
    id: p.entry.patient, centre: p.centre, label: p.label, data, slices: p.slices, size: opts.size, channels: opts.channels,
    ...(sliceLabels ? { sliceLabels } : {}),
  };
}

export async function loadClassifyPatients(rows: ManifestRow[], opts: ClassifyLoadOptions): Promise<LoadedPatients> {
  const skipped: SkippedRow[] = [];
  const read = (v: Volume, _path: string, prng: Rng | null) => {
    const roi = opts.lungCrop ? squareLungRoi(v) : undefined;
    const aug = prng ? sampleClassifyAugmentation(prng, roi?.height ?? v.rows, roi?.width ?? v.columns) : null;
    return toChannels(preprocessClassifyVolume(v, aug, { size: opts.size, ...(roi ? { roi } : {}) }), opts.channels);
  };
  const found = await readPatients(rows, skipped, read, opts.augmentSeed, opts.onPatient);
  return { patients: found.map((p) => patientSlices(p, concat(p.scans), opts)), skipped };
}

export type ClassifyTrainingOptions = Omit<ClassifyLoadOptions, 'augmentSeed'> & {
  /** the training views' draws: crop ranges and scanner jitter (defaults: the paper's crop and flip, no jitter). */
  augmentation?: ViewAugmentation;
};

export interface LoadedTraining {
  /** each patient's whole-view slices (evaluation transform) and cached scans */
  patients: ViewPatient[];
  /** the per-batch hook for trainClassifier: a fresh crop/resize/flip per window and step */
  view: WindowView;
  skipped: SkippedRow[];
}

/** Training patients with per-batch views: scans read once, cached in the lung window, uncropped. */
export async function loadClassifyTraining(rows: ManifestRow[], opts: ClassifyTrainingOptions): Promise<LoadedTraining> {
  const skipped: SkippedRow[] = [];
  const side = cacheSide(opts.size);
  const found = await readPatients<CachedScan>(rows, skipped, (v) => cacheScan(v, side, opts.lungCrop ? squareLungRoi(v) : undefined), null, opts.onPatient);
  const patients = found.map((p) => ({ patient: patientSlices(p, wholeView(p.scans, opts.size, opts.channels), opts), scans: p.scans }));
  return { patients, view: trainingView(patients, opts.augmentation), skipped };
}
