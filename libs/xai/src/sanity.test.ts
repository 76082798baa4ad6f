import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';
import { randomisationCheck, randomWeightsLike, rankAverage, spearman } from './sanity.js';

describe('rank correlation', () => {
  it('average ranks for ties, as scipy.stats.rankdata', () => {
    expect(Array.from(rankAverage([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]);
  });

  it('spearman: 1 for monotone, −1 for reversed, hand value otherwise', () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 16])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks (1,2,3,4) vs (2,1,4,3): 1 − 6·Σd²/(n(n²−1)) = 1 − 6·4/60 = 0.6
    expect(spearman([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
  });
});

describe('model randomisation check (Adebayo et al.)', () => {
  it('reports high correlation for identical maps and low for unrelated ones', () => {
    const rng = new Rng(4);
    const a = Float32Array.from({ length: 400 }, () => rng.normal());
    const b = Float32Array.from({ length: 400 }, () => rng.normal());
    const same = randomisationCheck([a], [a.map((v) => 2 * v)]);
    expect(same.meanSpearman).toBeCloseTo(1, 12);
    const diff = randomisationCheck([a, b], [b, a]);
    expect(Math.abs(diff.meanSpearman)).toBeLessThan(0.15);
    expect(diff.spearmanAbs.length).toBe(2);
    expect(() => randomisationCheck([a], [])).toThrow(/same non-zero number/);
  });

  it('draws Glorot-uniform kernels and neutral 1-D weights', () => {
    const [k, bias, gamma] = randomWeightsLike([{ shape: [3, 3, 4, 8] }, { shape: [8], name: 'conv/bias' }, { shape: [8], name: 'bn/gamma' }], 1);
    const lim = Math.sqrt(6 / (4 * 9 + 8 * 9));
    expect(k.length).toBe(288);
    expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(lim);
    expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(0.8 * lim);
    expect(Array.from(bias)).toEqual(new Array(8).fill(0));
    expect(Array.from(gamma)).toEqual(new Array(8).fill(1));
  });
});
