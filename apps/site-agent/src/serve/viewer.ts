/**
 * What the dashboard's slice viewer needs from a patient's scans: slices in the API's order (the
 * order of /patients/:id/slices/:i.png and of the segmentation overlays), HU window/level for CT
 * at the scan's native resolution, and the volume's header facts. Recently viewed patients'
 * volumes stay in memory (a slider fetches many slices of one patient).
 */
import { crop, readVolume, sliceImage, windowCt, type CropBox, type Volume } from '@unbox/data';
import { squareLungRoi } from '../training/classify-views.js';
import { UserError } from '../errors.js';
import type { ManifestRow } from '../training/manifests.js';

/** Window/level presets (HU) offered by GET /site; lung is the classifier's own window (paper 4.1.2). */
export const CT_WINDOWS = {
  lung: { window: 1500, level: -600 },
  mediastinum: { window: 350, level: 40 },
  brain: { window: 80, level: 40 },
  subdural: { window: 200, level: 75 },
  bone: { window: 1800, level: 400 },
} as const;

export interface Scan {
  path: string;
  volume: Volume;
  /** the manifest gives a label map for it (segment: slices with a mask come first) */
  labelled: boolean;
  modality: string;
}

/**
 * Scans in the API's slice order: classify concatenates every scan in manifest order (as
 * loadClassifyScan does); segment lists scans with a mask first, then the rest (as
 * loadSegmentImages' labelled + unlabelled).
 */
export function scanOrder(rows: ManifestRow[], task: 'classify' | 'segment'): { path: string; labelled: boolean; modality: string }[] {
  const all = rows.flatMap((r) => r.entry.paths.map((path) => ({ path, labelled: task === 'segment' && !!r.entry.mask, modality: r.entry.modality })));
  return task === 'classify' ? all : [...all.filter((s) => s.labelled), ...all.filter((s) => !s.labelled)];
}

/** The values of the last `capacity` keys used, each computed once; a failed computation is forgotten. */
export class RecentCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key);
    if (p) {
      this.entries.delete(key);
      this.entries.set(key, p);
      return p;
    }
    p = compute();
    p.catch(() => this.entries.delete(key));
    this.entries.set(key, p);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return p;
  }
}

export class VolumeCache {
  private readonly recent: RecentCache<Scan[]>;

  // two patients: a full-resolution CT series can be hundreds of MB as float32
  constructor(capacity = 2) {
    this.recent = new RecentCache(capacity);
  }

  scans(key: string, rows: ManifestRow[], task: 'classify' | 'segment'): Promise<Scan[]> {
    return this.recent.get(key, () =>
      Promise.all(
        scanOrder(rows, task).map(async (s) => {
          try {
            return { ...s, volume: await readVolume(s.path) };
          } catch (e) {
            throw new UserError(`${s.path}: cannot read the scan (${(e as Error).message})`);
          }
        }),
      ),
    );
  }
}

/** Slice `i` over the concatenated scans, or null when out of range. */
export function locateSlice(scans: Scan[], i: number): { scan: Scan; slice: number } | null {
  let at = i;
  for (const scan of scans) {
    if (at < scan.volume.slices) return { scan, slice: at };
    at -= scan.volume.slices;
  }
  return null;
}

const lungBoxes = new WeakMap<Scan, CropBox>();

/** The classifier's lung box of a scan (squareLungRoi), computed once per cached volume. */
export function scanLungRoi(scan: Scan): CropBox {
  let box = lungBoxes.get(scan);
  if (!box) lungBoxes.set(scan, (box = squareLungRoi(scan.volume)));
  return box;
}

/**
 * 8-bit grey of a CT slice through a HU window: (HU − (level − window/2)) / window, clamped; cut to
 * `roi` when given (a lung-cropped classifier's view, so its CAM and boxes stay aligned).
 */
export function windowedSlice(scan: Scan, slice: number, window: number, level: number, roi?: CropBox): { grey: Uint8Array; width: number; height: number } {
  if (scan.modality !== 'CT') throw new UserError(`window/level applies to CT in HU; this scan is ${scan.modality}`);
  if (scan.volume.channels !== 1) throw new UserError(`${scan.path}: ${scan.volume.channels}-channel image; window/level needs single-channel CT`);
  const img = sliceImage(scan.volume, slice);
  const w = windowCt(roi ? crop(img, roi) : img, { width: window, level });
  const grey = new Uint8Array(w.data.length);
  for (let p = 0; p < grey.length; p++) grey[p] = Math.round(w.data[p] * 255);
  return { grey, width: w.columns, height: w.rows };
}

export function huRange(scans: Scan[]): [number, number] | null {
  if (!scans.length || scans.some((s) => s.modality !== 'CT')) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scans)
    for (const v of s.volume.data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}
