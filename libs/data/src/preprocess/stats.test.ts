import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';
import { quantiles, summarize } from './stats.js';

describe('summary statistics', () => {
  it('computes min, max, mean and population std', () => {
    const s = summarize(new Float32Array([1, 2, 3, 4]));
    expect(s).toMatchObject({ count: 4, nonFinite: 0, min: 1, max: 4, mean: 2.5 });
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(Number.isNaN(summarize([]).mean)).toBe(true);
    expect(summarize([NaN, 2, Infinity, 4])).toMatchObject({ count: 2, nonFinite: 2, min: 2, max: 4, mean: 3, std: 1 });
  });

  it('quantiles interpolate linearly at (n - 1) q like numpy', () => {
    // sorted [1..5]: q=0.01 -> h=0.04 -> 1.04; q=0.99 -> h=3.96 -> 4.96; median 3.
    const q = quantiles([3, 1, 2, 4, 5], [0.01, 0.5, 0.99, 0, 1]);
    expect(q[0]).toBeCloseTo(1.04, 12);
    expect(q[1]).toBe(3);
    expect(q[2]).toBeCloseTo(4.96, 12);
    expect(q.slice(3)).toEqual([1, 5]);
    expect(() => quantiles([1], [1.5])).toThrow(/\[0, 1\]/);
    expect(() => quantiles([], [0.5])).toThrow(/empty/);
    expect(quantiles([NaN, 4, 1, Infinity], [0.5])).toEqual([2.5]);
  });

  it('selection agrees with a full sort on random, tied, sorted and reversed data', () => {
    const rng = createRng(9);
    const cases = [
      Array.from({ length: 1001 }, () => rng.next() * 100 - 50),
      Array.from({ length: 500 }, () => rng.int(0, 4)),
      Array.from({ length: 300 }, (_, i) => i),
      Array.from({ length: 300 }, (_, i) => 300 - i),
      [5, 5, 5, 5],
    ];
    const qs = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1];
    for (const xs of cases) {
      const sorted = [...xs].sort((a, b) => a - b);
      const ref = qs.map((q) => {
        const h = (sorted.length - 1) * q;
        const lo = Math.floor(h);
        return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
      });
      quantiles(xs, qs).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 10));
    }
  });
});
