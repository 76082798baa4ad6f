import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultThreshold, overflowFree, resolveParams, validateThreshold } from './config.js';
import { dequantise, quantisationBound, quantise } from './quantize.js';

describe('parameters', () => {
  it('picks the largest fractional precision that cannot overflow', () => {
    // 32 sites × weight 1000 × clip 1: 32·(1000·2^f + 1) ≤ 2^31 − 1 ⇔ f ≤ 16
    const p = resolveParams({ length: 4, clip: 1, maxWeight: 1000, maxSites: 32 });
    expect(p.fracBits).toBe(16);
    expect(overflowFree({ ...p, fracBits: 17 })).toBe(false);
    expect(p.prg).toBe('chacha20');
  });

  it('refuses a configuration that could overflow, naming the field', () => {
    expect(() => resolveParams({ length: 4, clip: 1, maxWeight: 1000, maxSites: 32, fracBits: 17 })).toThrow(/invalid-parameters: fracBits/);
    expect(() => resolveParams({ length: 4, clip: 1e6, maxWeight: 1e4, maxSites: 255 })).toThrow(/does not fit 31 bits/);
    expect(() => resolveParams({ length: 0, clip: 1, maxWeight: 1, maxSites: 4 })).toThrow(/length/);
    expect(() => resolveParams({ length: 4, clip: 1, maxWeight: 1, maxSites: 300 })).toThrow(/maxSites/);
  });

  it('threshold: default ⌊2n/3⌋+1, and n/2 < t ≤ n enforced', () => {
    expect([3, 4, 10, 32].map(defaultThreshold)).toEqual([3, 3, 7, 22]);
    expect(() => validateThreshold(5, 10)).toThrow(/n\/2 < t/);
    expect(() => validateThreshold(11, 10)).toThrow(/n\/2 < t/);
    expect(() => validateThreshold(6, 10)).not.toThrow();
  });
});

describe('fixed point with stochastic rounding', () => {
  const p = resolveParams({ length: 5, clip: 2, maxWeight: 50, maxSites: 8, fracBits: 10 });

  it('encodes w·clip(x)·2^f exactly when it is an integer, and the weight as the last word', () => {
    const q = quantise([0.5, -0.25, 3, -7, 0], 3, p, (u) => u.fill(0));
    // 0.5·3·1024 = 1536; −0.25·3·1024 = −768 → 2^32 − 768; 3 → clip 2 → 6144; −7 → −6144
    expect(Array.from(q)).toEqual([1536, 2 ** 32 - 768, 6144, 2 ** 32 - 6144, 0, 3]);
    const d = dequantise(q, p);
    expect(Array.from(d.weightedSum)).toEqual([1.5, -0.75, 6, -6, 0]);
    expect(d.totalWeight).toBe(3);
    expect(d.mean[0]).toBeCloseTo(0.5, 12);
  });

  it('rounds up with probability equal to the fraction (u below/above it)', () => {
    const x = 0.3 / 1024; // v = 0.3 quanta at weight 1
    expect(quantise([x, 0, 0, 0, 0], 1, p, (u) => u.fill(Math.floor(0.69 * 2 ** 32)))[0]).toBe(0);
    expect(quantise([x, 0, 0, 0, 0], 1, p, (u) => u.fill(Math.floor(0.71 * 2 ** 32)))[0]).toBe(1);
  });

  it('is unbiased on average and never off by more than one quantum', () => {
    const big = resolveParams({ length: 20000, clip: 1, maxWeight: 1, maxSites: 2, fracBits: 4 });
    const v = 0.37 / 16;
    const q = quantise(new Float64Array(20000).fill(v), 1, big);
    let mean = 0;
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      worst = Math.max(worst, Math.abs(q[i] - 0.37));
      mean += q[i] / 20000;
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(mean).toBeGreaterThan(0.37 - 0.02); // sd of the mean ≈ 0.0034
    expect(mean).toBeLessThan(0.37 + 0.02);
  });

  it('sum of sites decodes within k quanta of the exact weighted sum (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 5, maxLength: 5 }), fc.integer({ min: 1, max: 50 })), { minLength: 1, maxLength: 8 }), (sites) => {
        const sum = new Uint32Array(6);
        const exact = new Float64Array(5);
        for (const [x, w] of sites) {
          const q = quantise(x, w, p);
          for (let i = 0; i < 6; i++) sum[i] += q[i];
          for (let i = 0; i < 5; i++) exact[i] += w * Math.max(-2, Math.min(2, x[i]));
        }
        const d = dequantise(sum, p);
        expect(d.totalWeight).toBe(sites.reduce((s, [, w]) => s + w, 0));
        for (let i = 0; i < 5; i++) expect(Math.abs(d.weightedSum[i] - exact[i])).toBeLessThanOrEqual(quantisationBound(sites.length, p) * (1 + 1e-9));
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('refuses NaN, a wrong length and a weight outside 1..maxWeight', () => {
    expect(() => quantise([0, NaN, 0, 0, 0], 1, p)).toThrow(/update\[1\] is NaN/);
    expect(() => quantise([0, 0, Infinity, 0, 0], 1, p)).toThrow(/update\[2\]/);
    expect(() => quantise([0, 0], 1, p)).toThrow(/2 parameters, the run has 5/);
    expect(() => quantise([0, 0, 0, 0, 0], 51, p)).toThrow(/weight 51/);
    expect(() => quantise([0, 0, 0, 0, 0], 1.5, p)).toThrow(/integer sample count/);
  });
});
