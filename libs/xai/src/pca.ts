/**
 * Principal component analysis by the eigen-decomposition of the covariance matrix (D ≤ N) or,
 * for wide data, of the Gram matrix (same components, cheaper). Signs are made deterministic as
 * sklearn's svd_flip does for components: the entry of largest magnitude of each component is
 * positive.
 */
import { symmetricEigen } from './linalg.js';
import { checkMatrix, type Matrix } from './matrix.js';

export interface PcaModel {
  mean: Float64Array;
  /** k×D, row c is component c (unit length). */
  components: Float64Array;
  nComponents: number;
  dim: number;
  /** Variance along each component (eigenvalue / (N − 1)), as sklearn's explained_variance_. */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
}

export function fitPca(x: Matrix, nComponents: number): PcaModel {
  checkMatrix(x, 'pca input');
  const { rows: N, cols: D, data } = x;
  const k = nComponents;
  if (!(Number.isInteger(k) && k >= 1 && k <= Math.min(N, D))) throw new Error(`pca: nComponents must be in 1..min(N, D) = ${Math.min(N, D)} (got ${k})`);
  const mean = new Float64Array(D);
  for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) mean[j] += data[i * D + j] / N;
  const c = new Float64Array(N * D);
  for (let i = 0; i < N; i++) for (let j = 0; j < D; j++) c[i * D + j] = data[i * D + j] - mean[j];
  const components = new Float64Array(k * D);
  let eig: Float64Array;
  let totalVar = 0;
  if (D <= N) {
    const cov = new Float64Array(D * D);
    for (let i = 0; i < N; i++) {
      const r = i * D;
      for (let a = 0; a < D; a++) {
        const v = c[r + a];
        if (v === 0) continue;
        for (let b = 0; b <= a; b++) cov[a * D + b] += v * c[r + b];
      }
    }
    for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) cov[b * D + a] = cov[a * D + b];
    for (let a = 0; a < D; a++) totalVar += cov[a * D + a];
    const { values, vectors } = symmetricEigen(cov, D);
    eig = values;
    components.set(vectors.subarray(0, k * D));
  } else {
    const gram = new Float64Array(N * N);
    for (let i = 0; i < N; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let a = 0; a < D; a++) s += c[i * D + a] * c[j * D + a];
        gram[i * N + j] = gram[j * N + i] = s;
      }
    for (let i = 0; i < N; i++) totalVar += gram[i * N + i];
    const { values, vectors } = symmetricEigen(gram, N);
    eig = values;
    for (let q = 0; q < k; q++) {
      const norm = Math.sqrt(Math.max(values[q], 0));
      for (let a = 0; a < D; a++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += c[i * D + a] * vectors[q * N + i];
        components[q * D + a] = norm > 0 ? s / norm : 0;
      }
    }
  }
  for (let q = 0; q < k; q++) {
    let best = 0;
    for (let a = 1; a < D; a++) if (Math.abs(components[q * D + a]) > Math.abs(components[q * D + best])) best = a;
    if (components[q * D + best] < 0) for (let a = 0; a < D; a++) components[q * D + a] = -components[q * D + a];
  }
  const denom = Math.max(N - 1, 1);
  const explainedVariance = Float64Array.from({ length: k }, (_, q) => Math.max(eig[q], 0) / denom);
  const explainedVarianceRatio = Float64Array.from(explainedVariance, (v) => (totalVar > 0 ? (v * denom) / totalVar : 0));
  return { mean, components, nComponents: k, dim: D, explainedVariance, explainedVarianceRatio };
}

/** Project rows onto the components: (x − mean) · componentsᵀ, N×k. */
export function pcaTransform(model: PcaModel, x: Matrix): Float64Array {
  if (x.cols !== model.dim) throw new Error(`pca transform: input has ${x.cols} columns, model was fitted on ${model.dim}`);
  const { rows: N, cols: D, data } = x;
  const k = model.nComponents;
  const out = new Float64Array(N * k);
  for (let i = 0; i < N; i++)
    for (let q = 0; q < k; q++) {
      let s = 0;
      for (let a = 0; a < D; a++) s += (data[i * D + a] - model.mean[a]) * model.components[q * D + a];
      out[i * k + q] = s;
    }
  return out;
}
