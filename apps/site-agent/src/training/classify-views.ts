/**
 * The classifier's training views (paper 4.1.2), drawn per batch: every scan is windowed to the
 * lung window once and cached uncropped; each training step then draws, per scan a window
 * touches, a fresh random crop (area 90–100 %, aspect 3/4–4/3), bilinear resize to the model's
 * size and horizontal flip (p = 0.5) for the whole scan, from the step's seeded generator. The
 * evaluation view is deterministic: the whole slice resized, unflipped (what `unbox-site eval`
 * sees). Drawing once per scan at load time instead froze one view per patient, which the
 * network memorised (docs/experiments.md). Pure: no I/O.
 */
import {
  CLASSIFY_DEFAULTS, createRng, crop, PAPER_CROP, SCANNER_JITTER, flipHorizontal, jitterWindowed, lungRoi, resizeBilinear, sampleClassifyAugmentation, sliceImage, windowCt,
  type ClassifyAugmentation, type ClassifyPreprocessOptions, type CropBox, type Image2D, type Volume,
} from '@unbox/data';
import type { PatientSlices, SliceWindow, WindowView } from '@unbox/models';
import { toChannels } from './channels.js';

/** One scan in the lung window ([0, 1]), uncropped: slices × rows × columns, one channel. */
export interface CachedScan {
  data: Float32Array;
  slices: number;
  rows: number;
  columns: number;
}

/** A training patient: the whole-view slices the model and checks see, and the cached scans the views are drawn from. */
export interface ViewPatient {
  patient: PatientSlices;
  scans: CachedScan[];
}

/**
 * The cache side: scans larger than `side` px are shrunk (antialiased, aspect kept) once, so a
 * 512² CT costs (side/512)² of its memory. With the default side (twice the model's) the random
 * crop still shrinks by ≥ 1.6×, so the loss of detail is below what the final resize removes.
 */
export const cacheSide = (modelSize: number) => 2 * modelSize;

function slice(scan: CachedScan, s: number): Image2D {
  const n = scan.rows * scan.columns;
  return { data: scan.data.subarray(s * n, (s + 1) * n), rows: scan.rows, columns: scan.columns, channels: 1 };
}

/**
 * The square region of interest around a scan's lungs (paper 4.1.2 crops the CT to the segmented
 * lungs before the random crop): lungRoi's box widened to a square on its longer side, centred,
 * kept inside the slice, so every centre's field of view maps the lungs to the same scale and the
 * resize does not distort them. The whole slice when no lungs are found (lungRoi's fallback).
 */
export function squareLungRoi(v: Volume): CropBox {
  const b = lungRoi(v);
  const side = Math.min(Math.max(b.height, b.width), v.rows, v.columns);
  const place = (start: number, len: number, n: number) => Math.min(Math.max(0, Math.round(start + len / 2 - side / 2)), n - side);
  return { top: place(b.top, b.height, v.rows), left: place(b.left, b.width, v.columns), height: side, width: side };
}

/**
 * A single-channel CT volume (HU) → the lung window, cut to `roi` when given, cached at most
 * `side` px on its longer side.
 */
export function cacheScan(v: Volume, side: number, roi?: CropBox): CachedScan {
  if (v.channels !== 1) throw new Error(`${v.source.files[0] ?? 'image'}: ${v.channels}-channel image; the classifier reads single-channel CT in HU`);
  const [r0, c0] = roi ? [roi.height, roi.width] : [v.rows, v.columns];
  const scale = Math.min(1, side / Math.max(r0, c0));
  const rows = Math.max(1, Math.round(r0 * scale));
  const columns = Math.max(1, Math.round(c0 * scale));
  const data = new Float32Array(v.slices * rows * columns);
  for (let s = 0; s < v.slices; s++) {
    let img = windowCt(roi ? crop(sliceImage(v, s), roi) : sliceImage(v, s), CLASSIFY_DEFAULTS.window);
    if (scale < 1) img = resizeBilinear(img, rows, columns, { antialias: true });
    data.set(img.data, s * rows * columns);
  }
  return { data, slices: v.slices, rows, columns };
}

/** Slices [from, from + count) of a scan through one augmentation (null: the whole slice, unflipped), as model input. */
export function renderSlices(scan: CachedScan, from: number, count: number, aug: ClassifyAugmentation | null, size: number, channels: number): Float32Array {
  const per = size * size;
  const out = new Float32Array(count * per);
  for (let k = 0; k < count; k++) {
    let img = slice(scan, from + k);
    if (aug) img = crop(img, aug.box);
    if (aug?.intensity) img = jitterWindowed(img, CLASSIFY_DEFAULTS.window, aug.intensity, from + k);
    img = resizeBilinear(img, size, size, { antialias: CLASSIFY_DEFAULTS.antialias });
    if (aug?.flip) img = flipHorizontal(img);
    out.set(img.data, k * per);
  }
  return toChannels(out, channels);
}

/** The evaluation view of a patient's scans, concatenated: slices × size × size × channels. */
export function wholeView(scans: CachedScan[], size: number, channels: number): Float32Array {
  const parts = scans.map((s) => renderSlices(s, 0, s.slices, null, size, channels));
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * One window's training view: one fresh draw (crop box, flip) per scan the window touches, from a
 * generator seeded by one value of the step's `r`, so the draw is a function of the step's seed.
 */
/** What a training view draws: the random crop's ranges and the scanner jitter (CLASSIFY_DEFAULTS: the paper's crop, no jitter). */
export type ViewAugmentation = Partial<Pick<ClassifyPreprocessOptions, 'crop' | 'intensity'>>;

/** A training config's view options (`cropScale`, `scannerJitter`) as a ViewAugmentation. */
export function viewAugmentation(o: { cropScale: readonly [number, number]; scannerJitter: boolean }): ViewAugmentation {
  return { crop: { ...PAPER_CROP, scale: [o.cropScale[0], o.cropScale[1]] }, intensity: o.scannerJitter ? SCANNER_JITTER : null };
}

export function augmentedWindow(scans: CachedScan[], w: SliceWindow, r: () => number, augmentation: ViewAugmentation = {}): Float32Array {
  const { size, channels } = w.patient;
  const rng = createRng(Math.floor(r() * 4294967296) | 0);
  const out = new Float32Array(w.count * size * size * channels);
  let first = 0; // index of the scan's first slice in the patient's concatenation
  let at = 0;
  for (const scan of scans) {
    const from = Math.max(w.start, first);
    const to = Math.min(w.start + w.count, first + scan.slices);
    if (from < to) {
      const aug = sampleClassifyAugmentation(rng, scan.rows, scan.columns, augmentation);
      const part = renderSlices(scan, from - first, to - from, aug, size, channels);
      out.set(part, at);
      at += part.length;
    }
    first += scan.slices;
  }
  if (at !== out.length) throw new Error(`patient ${w.patient.id}: window ${w.start}+${w.count} outside its ${first} cached slices`);
  return out;
}

/**
 * The per-batch hook for trainClassifier (WindowView) over these patients: a window of a patient
 * listed here is drawn from its cached scans; any other patient is an error (not silently frozen).
 */
export function trainingView(patients: ViewPatient[], augmentation: ViewAugmentation = {}): WindowView {
  const scans = new Map<PatientSlices, CachedScan[]>(patients.map((p) => [p.patient, p.scans]));
  return (w, r) => {
    const s = scans.get(w.patient);
    if (!s) throw new Error(`patient ${w.patient.id}: no cached scans for its training view`);
    return augmentedWindow(s, w, r, augmentation);
  };
}
