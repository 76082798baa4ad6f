import { describe, expect, it } from 'vitest';
import { kernelShap, kernelShapImage, kernelShapTabular, shapCoalitions } from './kernel-shap.js';
import { Rng } from './rng.js';
import type { Superpixels } from './slic.js';

/** Exact Shapley values by enumerating all 2^M coalitions. */
function bruteForceShapley(M: number, v: (mask: number) => number): Float64Array {
  const fact = [1];
  for (let i = 1; i <= M; i++) fact.push(fact[i - 1] * i);
  const phi = new Float64Array(M);
  for (let S = 0; S < 1 << M; S++) {
    let s = 0;
    for (let t = S; t; t &= t - 1) s++;
    for (let i = 0; i < M; i++) {
      if (S & (1 << i)) continue;
      phi[i] += ((fact[s] * fact[M - s - 1]) / fact[M]) * (v(S | (1 << i)) - v(S));
    }
  }
  return phi;
}

const toBits = (z: Uint8Array) => z.reduce((m, b, i) => m | (b << i), 0);
const game = (v: (mask: number) => number) => async (zs: Uint8Array[]) => Float64Array.from(zs, (z) => v(toBits(z)));

describe('shapCoalitions (KernelExplainer sampling)', () => {
  it('uses min(2M + 2048, 2^M − 2) coalitions', () => {
    expect(shapCoalitions(5, undefined, new Rng(0)).masks.length).toBe(30);
    const big = shapCoalitions(20, undefined, new Rng(0));
    expect(big.masks.length).toBe(2 * 20 + 2048);
    expect(big.exact).toBe(false);
    expect(shapCoalitions(10, undefined, new Rng(0)).exact).toBe(true);
  });

  it('enumerates small sizes fully, then samples complementary pairs; weights sum to 1', () => {
    const M = 50;
    const { masks, weights } = shapCoalitions(M, undefined, new Rng(1));
    const size = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
    // sizes 1 and 49 (2·50 coalitions) fit the budget 2148; size 2 (2·1225) does not
    expect(masks.slice(0, 100).every((m) => size(m) === 1 || size(m) === 49)).toBe(true);
    expect(masks.slice(100).every((m) => size(m) >= 2 && size(m) <= 48)).toBe(true);
    // paired sampling: each sampled coalition of a paired size (s ≠ M/2) comes with its complement
    const keys = new Set(masks.slice(100).map((m) => m.join('')));
    const unpaired = masks.slice(100, -1).filter((m) => size(m) !== 25 && !keys.has(m.map((b) => 1 - b).join('')));
    expect(unpaired.length).toBe(0);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    // the Shapley kernel: the fixed part carries (M−1)/(1·(M−1)) of the normalised weight for size 1 and M−1
    let total = 0;
    for (let s = 1; s < M; s++) total += (M - 1) / (s * (M - s));
    const w1 = weights.slice(0, 100).reduce((a, b) => a + b, 0);
    expect(w1).toBeCloseTo((2 * (M - 1)) / (1 * (M - 1)) / total, 10);
  });
});

describe('kernelShap', () => {
  it('equals brute-force Shapley values for arbitrary games with M ≤ 10', async () => {
    for (const M of [2, 3, 6, 10]) {
      const rng = new Rng(M);
      const table = Float64Array.from({ length: 1 << M }, () => rng.normal());
      const v = (mask: number) => table[mask];
      const r = await kernelShap(M, game(v));
      expect(r.exact).toBe(true);
      const ref = bruteForceShapley(M, v);
      for (let i = 0; i < M; i++) expect(r.values[i]).toBeCloseTo(ref[i], 9);
      expect(r.fx).toBe(table[(1 << M) - 1]);
      expect(r.baseValue).toBe(table[0]);
    }
  });

  it('gives w_i (x_i − b_i) for a linear model, with sampling (M = 60) and against a background set', async () => {
    const rng = new Rng(11);
    const M = 60;
    const w = Array.from({ length: M }, () => rng.normal());
    const x = Array.from({ length: M }, () => rng.normal());
    const bg = [0, 1, 2].map(() => Array.from({ length: M }, () => rng.normal()));
    const linear = async (rows: Float64Array[]) => rows.map((r) => r.reduce((s, v, i) => s + w[i] * v, 0.3));
    const r = await kernelShapTabular(x, bg, linear, { seed: 2 });
    expect(r.exact).toBe(false);
    for (let i = 0; i < M; i++) {
      const bMean = (bg[0][i] + bg[1][i] + bg[2][i]) / 3;
      expect(r.values[i]).toBeCloseTo(w[i] * (x[i] - bMean), 8);
    }
  });

  it('is symmetric, gives dummies zero, and is efficient to 1e-6 even when sampling', async () => {
    // features 0 and 1 symmetric, feature 2 a dummy, the rest a nonlinear mix
    const v = (m: number) => {
      const b = (i: number) => (m >> i) & 1;
      let s = 3 * b(0) * b(1) + b(0) + b(1) + Math.sin(b(3) + 2 * b(4) * b(5));
      for (let i = 6; i < 8; i++) s += 0.5 * i * b(i) * b(3);
      return s;
    };
    const r = await kernelShap(8, game(v));
    expect(r.values[0]).toBeCloseTo(r.values[1], 12);
    expect(r.values[2]).toBeCloseTo(0, 12);
    // sampled: M = 40, a nonlinear game
    const M = 40;
    const rng = new Rng(4);
    const a = Array.from({ length: M }, () => rng.normal());
    const g = async (zs: Uint8Array[]) => Float64Array.from(zs, (z) => Math.tanh(z.reduce((s, bit, i) => s + a[i] * bit, 0)) + z[0] * z[1] * z[2]);
    const rs = await kernelShap(M, g, { seed: 9 });
    const sum = rs.values.reduce((s, p) => s + p, 0);
    expect(Math.abs(sum - (rs.fx - rs.baseValue))).toBeLessThan(1e-6);
    expect(rs.nsamples).toBe(2 * M + 2048);
  });

  it('approximates the Shapley values of a smooth game when sampling (M = 14)', async () => {
    const M = 14;
    const rng = new Rng(21);
    const a = Array.from({ length: M }, () => rng.normal());
    const v = (m: number) => {
      let s = 0;
      for (let i = 0; i < M; i++) if ((m >> i) & 1) s += a[i];
      return 1 / (1 + Math.exp(-s));
    };
    const r = await kernelShap(M, game(v), { seed: 1 });
    expect(r.exact).toBe(false);
    const ref = bruteForceShapley(M, v);
    const scale = Math.max(...Array.from(ref, Math.abs));
    for (let i = 0; i < M; i++) expect(Math.abs(r.values[i] - ref[i])).toBeLessThan(0.1 * scale);
  });

  it('explains superpixels of an image exactly for a pixel-linear model, with batching', async () => {
    const labels = new Int32Array(64);
    for (let p = 0; p < 64; p++) labels[p] = Math.floor(p / 8) >> 1; // 4 horizontal bands of 2 rows
    const sp: Superpixels = { labels, count: 4, width: 8, height: 8 };
    const data = Float32Array.from({ length: 64 }, (_, p) => p % 7);
    const wmap = Float32Array.from({ length: 64 }, (_, p) => Math.cos(p));
    const batches: number[] = [];
    const predict = async (batch: Float32Array[]) => {
      batches.push(batch.length);
      return batch.map((im) => im.reduce((s, v, p) => s + wmap[p] * v, 0));
    };
    const r = await kernelShapImage({ data, width: 8, height: 8 }, sp, predict, { fill: 'zero', batchSize: 5 });
    for (let s = 0; s < 4; s++) {
      let expected = 0;
      for (let p = 0; p < 64; p++) if (labels[p] === s) expected += wmap[p] * data[p];
      expect(r.values[s]).toBeCloseTo(expected, 4);
    }
    expect(r.baseValue).toBe(0);
    expect(batches.every((n) => n <= 5)).toBe(true);
  });

  it('handles one feature, a logit link and bad input', async () => {
    const one = await kernelShap(1, async (zs) => Float64Array.from(zs, (z) => 2 + 3 * z[0]));
    expect(one.values[0]).toBe(3);
    const p = await kernelShap(3, async (zs) => Float64Array.from(zs, (z) => 1 / (1 + Math.exp(-(z[0] + 2 * z[1] - z[2])))), { link: 'logit' });
    expect(Array.from(p.values).map((x) => +x.toFixed(9))).toEqual([1, 2, -1]);
    await expect(kernelShap(0, async () => new Float64Array(0))).rejects.toThrow(/positive integer/);
    await expect(kernelShap(3, async (zs) => new Float64Array(zs.length).fill(2), { link: 'logit' })).rejects.toThrow(/logit link needs outputs in \(0, 1\)/);
    await expect(kernelShapTabular([1, 2], [[1]], async (r) => r.map(() => 0))).rejects.toThrow(/background row 0 has 1 features/);
  });
});
