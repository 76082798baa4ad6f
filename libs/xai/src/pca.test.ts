import { describe, expect, it } from 'vitest';
import { symmetricEigen } from './linalg.js';
import { fromRows } from './matrix.js';
import { fitPca, pcaTransform } from './pca.js';
import { Rng } from './rng.js';

describe('PCA', () => {
  it('finds the main axis of elongated data with a deterministic sign', () => {
    const rng = new Rng(1);
    const rows = Array.from({ length: 200 }, () => {
      const t = 5 * rng.normal();
      const e = 0.1 * rng.normal();
      return [10 + 0.6 * t - 0.8 * e, -3 + 0.8 * t + 0.6 * e];
    });
    const x = fromRows(rows);
    const m = fitPca(x, 2);
    expect(m.components[0]).toBeCloseTo(0.6, 2);
    expect(m.components[1]).toBeCloseTo(0.8, 2);
    // the largest entry of each component is positive
    expect(Math.abs(m.components[3]) >= Math.abs(m.components[2]) ? m.components[3] : m.components[2]).toBeGreaterThan(0);
    expect(m.mean[0]).toBeCloseTo(rows.reduce((s, r) => s + r[0], 0) / 200, 10);
    // explained variance = sample variance (ddof 1) of the projections
    const proj = pcaTransform(m, x);
    const v0 = Array.from({ length: 200 }, (_, i) => proj[2 * i]).reduce((s, p) => s + p * p, 0) / 199;
    expect(m.explainedVariance[0]).toBeCloseTo(v0, 8);
    expect(m.explainedVarianceRatio[0] + m.explainedVarianceRatio[1]).toBeCloseTo(1, 10);
    expect(m.explainedVarianceRatio[0]).toBeGreaterThan(0.99);
  });

  it('takes the Gram route for wide data and agrees with the covariance eigenvectors', () => {
    const rng = new Rng(2);
    const N = 6;
    const D = 10;
    const rows = Array.from({ length: N }, () => Array.from({ length: D }, () => rng.normal()));
    const m = fitPca(fromRows(rows), 3);
    const mean = Array.from({ length: D }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / N);
    const cov = new Float64Array(D * D);
    for (const r of rows) for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) cov[a * D + b] += (r[a] - mean[a]) * (r[b] - mean[b]);
    const ref = symmetricEigen(cov, D);
    for (let k = 0; k < 3; k++) {
      expect(m.explainedVariance[k]).toBeCloseTo(ref.values[k] / (N - 1), 8);
      let dot = 0;
      for (let a = 0; a < D; a++) dot += m.components[k * D + a] * ref.vectors[k * D + a];
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
    }
  });

  it('rejects bad shapes', () => {
    expect(() => fitPca(fromRows([[1, 2]]), 2)).toThrow(/nComponents must be in 1..min/);
    expect(() => fromRows([[1, 2], [3]])).toThrow(/row 1 has 1 values/);
    const m = fitPca(fromRows([[1, 2], [3, 5], [0, 1]]), 1);
    expect(() => pcaTransform(m, fromRows([[1, 2, 3]]))).toThrow(/3 columns, model was fitted on 2/);
  });
});
