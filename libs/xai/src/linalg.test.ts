import { describe, expect, it } from 'vitest';
import { solveSymmetric, symmetricEigen } from './linalg.js';
import { Rng } from './rng.js';

describe('symmetricEigen', () => {
  it('solves the 2×2 case by hand', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    expect(values[0]).toBeCloseTo(3, 12);
    expect(values[1]).toBeCloseTo(1, 12);
    expect(Math.abs(vectors[0])).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vectors[0] * vectors[1]).toBeCloseTo(0.5, 12);
  });

  it('gives A v = λ v with orthonormal vectors for a random symmetric matrix', () => {
    const n = 7;
    const rng = new Rng(3);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = rng.normal();
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 0; k < n; k++) {
      if (k > 0) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j] * vectors[k * n + j];
        expect(s).toBeCloseTo(values[k] * vectors[k * n + i], 10);
      }
      for (let l = 0; l < n; l++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += vectors[k * n + i] * vectors[l * n + i];
        expect(d).toBeCloseTo(k === l ? 1 : 0, 10);
      }
    }
  });
});

describe('solveSymmetric', () => {
  it('solves a positive definite system by Cholesky', () => {
    const r = solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2);
    // [4 2; 2 3] x = [2; 1] → x = [0.5, 0]
    expect(r.pinv).toBe(false);
    expect(r.x[0]).toBeCloseTo(0.5, 12);
    expect(r.x[1]).toBeCloseTo(0, 12);
  });

  it('returns the minimum-norm solution of a singular system', () => {
    const r = solveSymmetric(Float64Array.of(1, 1, 1, 1), Float64Array.of(2, 2), 2);
    expect(r.pinv).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 10);
    expect(r.x[1]).toBeCloseTo(1, 10);
  });
});
