/** Slice order of a series (or of an enhanced object's frames) along the slice normal. Pure. */
import { dot, sliceNormal, type Vec3 } from './geometry.js';

export interface SeriesOrder {
  /** indices into the input, in slice order */
  order: number[];
  /** mean distance between consecutive slice positions, mm; null without positions */
  spacing: number | null;
  /** true when ordered by position (else by InstanceNumber) */
  byPosition: boolean;
  /** largest deviation of a step from the mean, mm */
  maxStepDeviation: number;
  /** smallest distance between neighbouring slices, mm (Infinity for one slice or no positions) */
  minStep: number;
  /** the two input indices with the smallest step, when ordered by position */
  closestPair: [number, number] | null;
  /** slices do not share one ImageOrientationPatient (e.g. rotating MIP projections): no common normal */
  orientationVaries: boolean;
}

const SAME_ORIENTATION = 1e-4;

type Positioned = { imagePosition: Vec3 | null; imageOrientation: number[] | null; instanceNumber: number | null };

/**
 * Order slices by position along the common slice normal; by InstanceNumber when a position is
 * missing or the slices do not share one orientation (then positions do not define a volume). Pure.
 */
export function orderSlices(items: readonly Positioned[]): SeriesOrder {
  const idx = items.map((_, i) => i);
  const iop = items[0]?.imageOrientation;
  const orientationVaries = !!iop && items.some((s) => s.imageOrientation && s.imageOrientation.some((x, i) => Math.abs(x - iop[i]) > SAME_ORIENTATION));
  if (iop && !orientationVaries && items.every((s) => s.imagePosition)) {
    const n = sliceNormal(iop);
    const z = items.map((s) => dot(s.imagePosition as Vec3, n));
    idx.sort((a, b) => z[a] - z[b] || (items[a].instanceNumber ?? 0) - (items[b].instanceNumber ?? 0));
    let spacing: number | null = null;
    let dev = 0;
    let minStep = Infinity;
    let closestPair: [number, number] | null = null;
    if (idx.length > 1) {
      spacing = (z[idx[idx.length - 1]] - z[idx[0]]) / (idx.length - 1);
      for (let i = 1; i < idx.length; i++) {
        const step = z[idx[i]] - z[idx[i - 1]];
        dev = Math.max(dev, Math.abs(step - spacing));
        if (step < minStep) {
          minStep = step;
          closestPair = [idx[i - 1], idx[i]];
        }
      }
    }
    return { order: idx, spacing, byPosition: true, maxStepDeviation: dev, minStep, closestPair, orientationVaries };
  }
  idx.sort((a, b) => (items[a].instanceNumber ?? Infinity) - (items[b].instanceNumber ?? Infinity) || a - b);
  return { order: idx, spacing: null, byPosition: false, maxStepDeviation: 0, minStep: Infinity, closestPair: null, orientationVaries };
}
