/**
 * LIME for images (Ribeiro et al., KDD 2016) with lime_image.LimeImageExplainer's semantics:
 * `numSamples` binary vectors over the M superpixels, each entry 1 with probability 0.5, the first
 * sample the original (all ones); cosine distance of each vector to all-ones; kernel
 * sqrt(exp(−d² / width²)) with width 0.25; a weighted ridge regression (α = 1, with intercept, as
 * sklearn.linear_model.Ridge) of the model's score on the vectors. All M superpixels are used
 * (lime's num_features = 100000 keeps every feature). Seeded.
 */
import { checkImage, type Image2D } from './image.js';
import { solveSymmetric } from './linalg.js';
import { evaluateCoalitions, fillImage, type BatchPredict, type FillMode } from './perturb.js';
import { Rng } from './rng.js';
import type { Superpixels } from './slic.js';

export interface LimeOptions {
  numSamples?: number;
  kernelWidth?: number;
  /** Ridge penalty α (default 1). */
  alpha?: number;
  fill?: FillMode;
  blurSigma?: number;
  batchSize?: number;
  seed?: number;
}

export interface LimeResult {
  /** Surrogate coefficient per superpixel. */
  weights: Float64Array;
  intercept: number;
  /** Weighted R² of the surrogate on the samples (lime's `score`). */
  score: number;
  /** Surrogate prediction for the original (lime's `local_pred`). */
  localPred: number;
  /** The model's score on the original image. */
  fx: number;
  numSamples: number;
  seed: number;
}

/** Cosine distance 1 − z·1/(‖z‖‖1‖) of a binary vector to all-ones (1 for the all-zero vector, as sklearn). */
export function cosineDistanceToOnes(z: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += z[i];
  if (s === 0) return 1;
  return 1 - s / (Math.sqrt(s) * Math.sqrt(z.length));
}

/** lime's default kernel: sqrt(exp(−d² / width²)). */
export function limeKernel(d: number, width: number): number {
  return Math.sqrt(Math.exp(-(d * d) / (width * width)));
}

/**
 * sklearn Ridge(alpha, fit_intercept=True) with sample weights: minimise
 * Σ_i w_i (y_i − b − x_i·β)² + α‖β‖², solved on weighted-centred data.
 */
export function weightedRidge(X: ArrayLike<number>[], y: ArrayLike<number>, w: ArrayLike<number>, alpha: number): { coef: Float64Array; intercept: number; r2: number } {
  const n = X.length;
  if (n === 0) throw new Error('weightedRidge: no samples');
  const m = X[0].length;
  let sw = 0;
  const xm = new Float64Array(m);
  let ym = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    ym += w[i] * y[i];
    for (let j = 0; j < m; j++) xm[j] += w[i] * X[i][j];
  }
  if (!(sw > 0)) throw new Error('weightedRidge: sample weights sum to zero');
  ym /= sw;
  for (let j = 0; j < m; j++) xm[j] /= sw;
  const A = new Float64Array(m * m);
  const b = new Float64Array(m);
  const xc = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) xc[j] = X[i][j] - xm[j];
    const yc = y[i] - ym;
    for (let j = 0; j < m; j++) {
      const wx = w[i] * xc[j];
      b[j] += wx * yc;
      for (let k = 0; k <= j; k++) A[j * m + k] += wx * xc[k];
    }
  }
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) A[k * m + j] = A[j * m + k];
    A[j * m + j] += alpha;
  }
  const coef = m > 0 ? solveSymmetric(A, b, m).x : new Float64Array(0);
  let intercept = ym;
  for (let j = 0; j < m; j++) intercept -= xm[j] * coef[j];
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    let p = intercept;
    for (let j = 0; j < m; j++) p += coef[j] * X[i][j];
    ssRes += w[i] * (y[i] - p) ** 2;
    ssTot += w[i] * (y[i] - ym) ** 2;
  }
  return { coef, intercept, r2: ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0 };
}

export async function limeImage(img: Image2D, sp: Superpixels, predict: BatchPredict, options: LimeOptions = {}): Promise<LimeResult> {
  const numSamples = options.numSamples ?? 1000;
  const kernelWidth = options.kernelWidth ?? 0.25;
  const alpha = options.alpha ?? 1;
  const seed = options.seed ?? 0;
  const M = sp.count;
  checkImage(img, 'limeImage image');
  if (sp.labels.length !== img.data.length) throw new Error(`limeImage: superpixels cover ${sp.labels.length} pixels, image has ${img.data.length}`);
  if (!(Number.isInteger(numSamples) && numSamples >= 2)) throw new Error(`limeImage: numSamples must be an integer ≥ 2 (got ${numSamples})`);
  if (!(kernelWidth > 0)) throw new Error(`limeImage: kernelWidth must be > 0 (got ${kernelWidth})`);
  const rng = new Rng(seed);
  const zs: Uint8Array[] = [];
  for (let i = 0; i < numSamples; i++) {
    const z = new Uint8Array(M);
    if (i === 0) z.fill(1);
    else for (let s = 0; s < M; s++) z[s] = rng.uniform() < 0.5 ? 1 : 0;
    zs.push(z);
  }
  const fill = fillImage(img, sp, options.fill ?? 'mean', options.blurSigma);
  const y = await evaluateCoalitions(img.data, fill, sp.labels, zs, predict, options.batchSize ?? 32);
  const w = zs.map((z) => limeKernel(cosineDistanceToOnes(z), kernelWidth));
  const { coef, intercept, r2 } = weightedRidge(zs, y, w, alpha);
  let localPred = intercept;
  for (let s = 0; s < M; s++) localPred += coef[s];
  return { weights: coef, intercept, score: r2, localPred, fx: y[0], numSamples, seed };
}
