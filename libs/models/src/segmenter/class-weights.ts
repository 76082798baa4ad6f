/**
 * Optional class weights for the supervised cross-entropy (an option beyond the paper, whose
 * Eq. 15 is unweighted): the ventricles are ~1 % of the pixels (third and fourth < 0.1 %), so
 * plain CE is dominated by the background. 'inverse-sqrt-frequency' weights class c by 1/√f_c,
 * f_c its pixel frequency in the labelled training slices, scaled so that the frequency-weighted
 * mean weight Σ f_c w_c is 1 (the loss keeps the scale of plain CE). Pure.
 */
import type { SegmenterConfig } from './config.js';

export type ClassWeighting = SegmenterConfig['classWeighting'];

/** Pixel counts per class over label maps (values outside 0..classes-1 are an error). */
export function classCounts(masks: Iterable<ArrayLike<number>>, classes: number): number[] {
  const n = new Array<number>(classes).fill(0);
  for (const m of masks) {
    for (let i = 0; i < m.length; i++) {
      const v = m[i];
      if (!(v >= 0 && v < classes && Number.isInteger(v))) throw new RangeError(`label ${v} outside 0..${classes - 1}`);
      n[v]++;
    }
  }
  return n;
}

/**
 * Weights per class, or null for 'none' (plain Eq. 15). A class absent from the counts gets the
 * largest present weight (it cannot be estimated; it must not be ignored).
 */
export function classWeights(counts: number[], mode: ClassWeighting): number[] | null {
  if (mode === 'none') return null;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('class weights need at least one labelled pixel');
  const raw = counts.map((c) => (c > 0 ? 1 / Math.sqrt(c / total) : 0));
  const max = Math.max(...raw);
  const w = raw.map((x) => (x > 0 ? x : max));
  const mean = counts.reduce((a, c, i) => a + (c / total) * w[i], 0);
  return w.map((x) => x / mean);
}
