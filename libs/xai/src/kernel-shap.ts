/**
 * Kernel SHAP (Lundberg & Lee, NeurIPS 2017) with shap.KernelExplainer's semantics:
 * - Shapley kernel: a coalition of size s gets total weight ∝ (M−1)/(s(M−s)); sizes s and M−s
 *   are paired;
 * - the budget (default 2M + 2048, capped at 2^M − 2) first enumerates whole coalition sizes,
 *   smallest first (with their complements), while budget·(remaining weight of that size) covers
 *   every coalition of it, then samples the remaining sizes in complementary pairs, a repeated
 *   draw adding weight to the coalition already drawn, and scales the sampled weights to the
 *   weight left;
 * - the weighted least squares is solved with one variable eliminated by the efficiency
 *   constraint, so Σφ = f(x) − f(baseline) holds exactly;
 * - no l1 / AIC feature selection (shap's "auto" would silently drop features when fewer than
 *   20 % of coalitions are evaluated). Features that never vary (x equals the baseline) get
 *   φ = 0 exactly and leave the regression, as in shap.
 * With a budget ≥ 2^M − 2 every coalition is enumerated and the result is the exact Shapley value.
 */
import { checkImage, type Image2D } from './image.js';
import { solveSymmetric } from './linalg.js';
import { evaluateCoalitions, fillImage, type BatchPredict, type FillMode } from './perturb.js';
import { Rng } from './rng.js';
import type { Superpixels } from './slic.js';

/** Model value of coalitions z ∈ {0,1}^M (1 = the feature takes the explained instance's value). */
export type CoalitionValue = (zs: Uint8Array[]) => Promise<Float64Array>;

export interface KernelShapOptions {
  /** Number of coalitions evaluated (default 2M + 2048). */
  nsamples?: number;
  seed?: number;
  /** 'identity' (default) or 'logit' (explain log-odds of a probability output), as shap's link. */
  link?: 'identity' | 'logit';
  /** Which features can change the output; the others get φ = 0 (default: all). */
  varying?: ArrayLike<boolean>;
}

export interface KernelShapResult {
  /** φ per feature (in link space). */
  values: Float64Array;
  /** link(f(baseline)): shap's expected_value. */
  baseValue: number;
  /** link(f(x)). */
  fx: number;
  /** Coalitions evaluated, excluding the all-on and all-off ones. */
  nsamples: number;
  /** Whether every coalition was enumerated (exact Shapley values). */
  exact: boolean;
  /** True when the normal equations were singular and the pseudo-inverse was used. */
  pinv: boolean;
  seed: number;
}

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r < 2 ** 53 ? Math.round(r) : r;
}

function* combinations(n: number, k: number): Generator<Int32Array> {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx;
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

function linkFn(link: 'identity' | 'logit'): (v: number) => number {
  if (link === 'identity') return (v) => v;
  return (v) => {
    if (!(v > 0 && v < 1)) throw new Error(`kernelShap: logit link needs outputs in (0, 1), got ${v}`);
    return Math.log(v / (1 - v));
  };
}

/** Coalitions and their kernel weights, as KernelExplainer.explain builds them. */
export function shapCoalitions(M: number, nsamplesIn: number | undefined, rng: Rng): { masks: Uint8Array[]; weights: Float64Array; exact: boolean } {
  let nsamples = nsamplesIn ?? 2 * M + 2048;
  if (M <= 30) nsamples = Math.min(nsamples, 2 ** M - 2);
  if (!(Number.isInteger(nsamples) && nsamples >= 1)) throw new Error(`kernelShap: nsamples must be a positive integer (got ${nsamplesIn})`);
  const numSubsetSizes = Math.ceil((M - 1) / 2);
  const numPairedSubsetSizes = Math.floor((M - 1) / 2);
  const weightVector = new Float64Array(numSubsetSizes);
  for (let i = 1; i <= numSubsetSizes; i++) weightVector[i - 1] = (M - 1) / (i * (M - i));
  for (let i = 0; i < numPairedSubsetSizes; i++) weightVector[i] *= 2;
  const wsum = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < numSubsetSizes; i++) weightVector[i] /= wsum;

  const masks: Uint8Array[] = [];
  const kw: number[] = [];
  let numFullSubsets = 0;
  let numSamplesLeft = nsamples;
  const remaining = Float64Array.from(weightVector);
  for (let size = 1; size <= numSubsetSizes; size++) {
    let nsubsets = binom(M, size);
    if (size <= numPairedSubsetSizes) nsubsets *= 2;
    if ((numSamplesLeft * remaining[size - 1]) / nsubsets >= 1 - 1e-8) {
      numFullSubsets++;
      numSamplesLeft -= nsubsets;
      if (remaining[size - 1] < 1) {
        const r = 1 - remaining[size - 1];
        for (let i = 0; i < remaining.length; i++) remaining[i] /= r;
      }
      let w = weightVector[size - 1] / binom(M, size);
      if (size <= numPairedSubsetSizes) w /= 2;
      for (const inds of combinations(M, size)) {
        const m = new Uint8Array(M);
        for (const i of inds) m[i] = 1;
        masks.push(m);
        kw.push(w);
        if (size <= numPairedSubsetSizes) {
          masks.push(m.map((v) => 1 - v));
          kw.push(w);
        }
      }
    } else break;
  }
  const nfixed = masks.length;
  let samplesLeft = nsamples - nfixed;
  if (numFullSubsets !== numSubsetSizes && samplesLeft > 0) {
    const rw = Float64Array.from(weightVector);
    for (let i = 0; i < numPairedSubsetSizes; i++) rw[i] /= 2; // two samples are drawn each below
    const p = rw.slice(numFullSubsets);
    const ps = p.reduce((a, b) => a + b, 0);
    for (let i = 0; i < p.length; i++) p[i] /= ps;
    const used = new Map<string, number>();
    // shap draws 4·samples_left sizes up front and stops when they run out.
    let draws = 4 * samplesLeft;
    while (samplesLeft > 0 && draws-- > 0) {
      const size = rng.choice(p) + numFullSubsets + 1;
      const perm = rng.permutation(M);
      const m = new Uint8Array(M);
      for (let i = 0; i < size; i++) m[perm[i]] = 1;
      const key = m.join('');
      const seen = used.get(key);
      if (seen === undefined) {
        used.set(key, masks.length);
        masks.push(m);
        kw.push(1);
        samplesLeft--;
      } else kw[seen] += 1;
      if (samplesLeft > 0 && size <= numPairedSubsetSizes) {
        if (seen === undefined) {
          masks.push(m.map((v) => 1 - v));
          kw.push(1);
          samplesLeft--;
        } else kw[seen + 1] += 1;
      }
    }
    let weightLeft = 0;
    for (let i = numFullSubsets; i < numSubsetSizes; i++) weightLeft += weightVector[i];
    let sampled = 0;
    for (let i = nfixed; i < kw.length; i++) sampled += kw[i];
    for (let i = nfixed; i < kw.length; i++) kw[i] *= weightLeft / sampled;
  }
  return { masks, weights: Float64Array.from(kw), exact: numFullSubsets === numSubsetSizes };
}

/** Kernel SHAP over M features whose coalition values come from `value`. */
export async function kernelShap(M: number, value: CoalitionValue, options: KernelShapOptions = {}): Promise<KernelShapResult> {
  if (!(Number.isInteger(M) && M >= 1)) throw new Error(`kernelShap: number of features must be a positive integer (got ${M})`);
  const seed = options.seed ?? 0;
  const link = linkFn(options.link ?? 'identity');
  const varying = options.varying ? Array.from(options.varying) : new Array<boolean>(M).fill(true);
  if (varying.length !== M) throw new Error(`kernelShap: varying has ${varying.length} entries, expected ${M}`);
  const idx = varying.flatMap((v, i) => (v ? [i] : []));
  const [fxRaw, fnullRaw] = await value([new Uint8Array(M).fill(1), new Uint8Array(M)]);
  const fx = link(fxRaw);
  const fnull = link(fnullRaw);
  const values = new Float64Array(M);
  const base = { baseValue: fnull, fx, seed };
  const Mv = idx.length;
  if (Mv === 0) return { values, ...base, nsamples: 0, exact: true, pinv: false };
  if (Mv === 1) {
    values[idx[0]] = fx - fnull;
    return { values, ...base, nsamples: 0, exact: true, pinv: false };
  }
  const rng = new Rng(seed);
  const { masks, weights, exact } = shapCoalitions(Mv, options.nsamples, rng);
  const full = masks.map((m) => {
    const z = new Uint8Array(M).fill(1);
    for (let j = 0; j < Mv; j++) z[idx[j]] = m[j];
    return z;
  });
  const ey = await value(full);
  if (ey.length !== masks.length) throw new Error(`kernelShap: value returned ${ey.length} numbers for ${masks.length} coalitions`);
  // Eliminate the last feature with Σφ = fx − fnull: y − z_last·(fx − fnull) = Σ_{j<last} φ_j (z_j − z_last).
  const P = Mv - 1;
  const total = fx - fnull;
  const A = new Float64Array(P * P);
  const b = new Float64Array(P);
  const e = new Float64Array(P);
  for (let n = 0; n < masks.length; n++) {
    const m = masks[n];
    const last = m[Mv - 1];
    const y2 = link(ey[n]) - fnull - last * total;
    for (let j = 0; j < P; j++) e[j] = m[j] - last;
    const w = weights[n];
    for (let j = 0; j < P; j++) {
      if (e[j] === 0) continue;
      const we = w * e[j];
      b[j] += we * y2;
      for (let k = 0; k <= j; k++) A[j * P + k] += we * e[k];
    }
  }
  for (let j = 0; j < P; j++) for (let k = 0; k < j; k++) A[k * P + j] = A[j * P + k];
  const { x, pinv } = solveSymmetric(A, b, P);
  let s = 0;
  for (let j = 0; j < P; j++) {
    values[idx[j]] = x[j];
    s += x[j];
  }
  values[idx[P]] = total - s;
  return { values, ...base, nsamples: masks.length, exact, pinv };
}

export interface KernelShapImageOptions extends KernelShapOptions {
  fill?: FillMode;
  blurSigma?: number;
  batchSize?: number;
}

/**
 * Kernel SHAP over the superpixels of one image: a hidden superpixel shows its fill (the baseline
 * image is the all-filled one), the model runs in batches.
 */
export async function kernelShapImage(img: Image2D, sp: Superpixels, predict: BatchPredict, options: KernelShapImageOptions = {}): Promise<KernelShapResult> {
  checkImage(img, 'kernelShapImage image');
  if (sp.labels.length !== img.data.length) throw new Error(`kernelShapImage: superpixels cover ${sp.labels.length} pixels, image has ${img.data.length}`);
  const fill = fillImage(img, sp, options.fill ?? 'mean', options.blurSigma);
  const varying = new Array<boolean>(sp.count).fill(false);
  for (let p = 0; p < img.data.length; p++) if (img.data[p] !== fill[p]) varying[sp.labels[p]] = true;
  const batchSize = options.batchSize ?? 32;
  return kernelShap(sp.count, (zs) => evaluateCoalitions(img.data, fill, sp.labels, zs, predict, batchSize), { ...options, varying: options.varying ?? varying });
}

/**
 * Kernel SHAP for a feature vector against background rows: the value of a coalition is the
 * model averaged over the background with the coalition's features set to x (shap's
 * KernelExplainer with a background data set).
 */
export async function kernelShapTabular(
  x: ArrayLike<number>,
  background: ArrayLike<number>[],
  predict: (rows: Float64Array[]) => Promise<ArrayLike<number>>,
  options: KernelShapOptions = {},
): Promise<KernelShapResult> {
  const M = x.length;
  if (background.length === 0) throw new Error('kernelShapTabular: background is empty');
  background.forEach((r, i) => {
    if (r.length !== M) throw new Error(`kernelShapTabular: background row ${i} has ${r.length} features, x has ${M}`);
  });
  const varying = Array.from({ length: M }, (_, j) => background.some((r) => r[j] !== x[j]));
  const value: CoalitionValue = async (zs) => {
    const rows: Float64Array[] = [];
    for (const z of zs) for (const r of background) rows.push(Float64Array.from(r, (v, j) => (z[j] ? x[j] : v)));
    const y = await predict(rows);
    if (y.length !== rows.length) throw new Error(`kernelShapTabular: model returned ${y.length} outputs for ${rows.length} rows`);
    const out = new Float64Array(zs.length);
    for (let i = 0; i < zs.length; i++) {
      let s = 0;
      for (let b = 0; b < background.length; b++) s += y[i * background.length + b];
      out[i] = s / background.length;
    }
    return out;
  };
  return kernelShap(M, value, { ...options, varying: options.varying ?? varying });
}
