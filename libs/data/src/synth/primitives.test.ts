import { describe, expect, it } from 'vitest';
import { blurInPlane, blurThroughPlane, gaussianKernel, ValueNoise3 } from './filters.js';
import { domainShift, Histogram, jensenShannon, wasserstein1 } from './domain-shift.js';
import { allocate, systematic } from './plan.js';
import { hashSeed, normalQuantile, SynthRng } from './rng.js';
import { centreName, centreSignatures } from './signature.js';

describe('random streams', () => {
  it('are reproducible per seed and differ across seeds', () => {
    const a = new SynthRng(42);
    const b = new SynthRng(42);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(new SynthRng(43).u32()).not.toBe(xs[0]);
    expect(hashSeed(1, 'A', 'chest', 0)).toBe(hashSeed(1, 'A', 'chest', 0));
    expect(hashSeed(1, 'A', 'chest', 0)).not.toBe(hashSeed(1, 'A', 'chest', 1));
  });
  it('normal quantiles match the table values of the standard normal', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 7);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 7);
    expect(() => normalQuantile(1)).toThrow(/0 < p < 1/);
  });
  it('fast normals have mean 0 and variance 1', () => {
    const r = new SynthRng(7);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normalFast();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
  });
});

describe('filters', () => {
  it('Gaussian kernel is normalised, symmetric, radius ceil(3 sigma)', () => {
    const k = gaussianKernel(1.2);
    expect(k.length).toBe(2 * 4 + 1);
    expect(k.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
    expect(k[0]).toBeCloseTo(k[8], 9);
    expect(k[4] / k[5]).toBeCloseTo(Math.exp(1 / (2 * 1.2 * 1.2)), 6); // exp(-i^2 / 2 sigma^2)
  });
  it('blur keeps a constant image and the mass of an interior impulse', () => {
    const c = new Float32Array(2 * 9 * 9).fill(5);
    blurInPlane(c, 2, 9, 9, 1);
    expect(c.every((v) => Math.abs(v - 5) < 1e-5)).toBe(true);
    const d = new Float32Array(9 * 9);
    d[4 * 9 + 4] = 1;
    blurInPlane(d, 1, 9, 9, 0.8);
    expect(d.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    const k = gaussianKernel(0.8);
    expect(k.length).toBe(7);
    expect(d[4 * 9 + 5]).toBeCloseTo(k[3] * k[4], 6); // separable: product of the 1-D weights
    const z = new Float32Array(3 * 2 * 2);
    z.fill(1, 4, 8);
    blurThroughPlane(z, 3, 2, 2, 0.5);
    expect(z[0]).toBeGreaterThan(0);
    expect(z[4]).toBeLessThan(1);
  });
  it('value noise is bounded, continuous and needs a power-of-two lattice', () => {
    const n = new ValueNoise3(new SynthRng(1), 8);
    for (let i = 0; i < 1000; i++) {
      const v = n.at(i * 0.37 - 100, i * 0.11, -i * 0.05);
      expect(v).toBeGreaterThanOrEqual(-1);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect(Math.abs(n.at(2.5, 3.5, 1.5) - n.at(2.5001, 3.5, 1.5))).toBeLessThan(1e-3);
    expect(n.at(1.25, 2, 3)).toBeCloseTo(n.at(1.25 + 8, 2 - 8, 3 + 16), 6); // wraps every 8 cells
    expect(() => new ValueNoise3(new SynthRng(1), 10)).toThrow(/power of two/);
  });
});

describe('cohort planning', () => {
  it('allocates counts proportional to weights, each class at least once', () => {
    expect(allocate(10, [0.5, 0.3, 0.2])).toEqual([5, 3, 2]);
    expect(allocate(7, [1, 1, 1])).toEqual([3, 2, 2]);
    expect(allocate(5, [1, 0, 0])).toEqual([3, 1, 1]);
    expect(allocate(2, [1, 0, 0])).toEqual([2, 0, 0]);
  });
  it('spreads categories systematically along a list', () => {
    const s = systematic(20, [0.7, 0.15, 0.15]);
    expect(s.filter((x) => x === 0)).toHaveLength(14);
    expect(s.filter((x) => x === 1)).toHaveLength(3);
    expect(s.filter((x) => x === 2)).toHaveLength(3);
    expect(systematic(4, [1, 1])).toEqual([0, 1, 0, 1]);
  });
});

describe('centre signatures', () => {
  it('give every centre its own stratum of every parameter (Latin hypercube), deterministically', () => {
    const s = centreSignatures(3, 4, { chestSlices: 32 });
    expect(s.map((c) => c.centre)).toEqual(['A', 'B', 'C', 'D']);
    for (const get of [(c: (typeof s)[0]) => c.ct.noiseSigma, (c: (typeof s)[0]) => c.ct.huOffset, (c: (typeof s)[0]) => c.mr.gain, (c: (typeof s)[0]) => c.ct.chestFov]) {
      const v = s.map(get).sort((a, b) => a - b);
      for (let i = 1; i < v.length; i++) expect(v[i]).toBeGreaterThan(v[i - 1]);
    }
    expect(centreSignatures(3, 4, { chestSlices: 32 })).toEqual(s);
    expect(centreSignatures(4, 4, { chestSlices: 32 })).not.toEqual(s);
    for (const c of s) {
      expect(c.brain.thinMm).toBeLessThanOrEqual(1.5);
      expect(c.brain.thickCtMm).toBeGreaterThanOrEqual(5);
      expect(c.brain.thickMrMm).toBeGreaterThanOrEqual(5);
      expect(c.balance.chest.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    }
    expect(new Set(s.map((c) => c.balance.chest[0])).size).toBe(4); // class balance differs too
  });
  it('names centres A..Z, AA..', () => {
    expect([0, 25, 26, 27, 701].map(centreName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ']);
  });
});

describe('domain-shift measures', () => {
  it('W1 of a histogram and its copy shifted by d bins is d bin widths; JS is 0 for equal and 1 for disjoint', () => {
    const a = new Histogram(0, 100, 100).add([10, 10, 20, 30]);
    const b = new Histogram(0, 100, 100).add([15, 15, 25, 35]);
    expect(wasserstein1(a, b)).toBeCloseTo(5, 9);
    expect(jensenShannon(a, a)).toBe(0);
    expect(jensenShannon(a, b)).toBeCloseTo(1, 9);
    // half the mass shared: JS = 0.5 bit
    const c = new Histogram(0, 100, 100).add([10, 50]);
    const d = new Histogram(0, 100, 100).add([10, 70]);
    expect(jensenShannon(c, d)).toBeCloseTo(0.5, 9);
    expect(() => wasserstein1(a, new Histogram(0, 10, 10))).toThrow(/different bins/);
  });
  it('reports between-centre distances against the within-centre baseline', () => {
    const mk = (centre: string, shift: number): Parameters<typeof domainShift>[0][number] => {
      const r = new SynthRng(hashSeed(centre));
      const all = new Histogram(-50, 50, 100);
      const halves: [Histogram, Histogram] = [new Histogram(-50, 50, 100), new Histogram(-50, 50, 100)];
      for (let i = 0; i < 20000; i++) {
        const v = [shift + 3 * r.normalFast()];
        all.add(v);
        halves[i % 2].add(v);
      }
      return { centre, all, halves };
    };
    const rep = domainShift([mk('A', 0), mk('B', 10)]);
    expect(rep.w1[0][1]).toBeCloseTo(10, 0);
    expect(rep.w1[0][0]).toBe(0);
    expect(rep.within_w1[0]).toBeLessThan(0.2);
    expect(rep.w1_ratio).toBeGreaterThan(20);
    expect(rep.mean[1] - rep.mean[0]).toBeCloseTo(10, 0);
  });
});

describe('signature numbers', () => {
  it('are written without binary rounding noise', () => {
    for (const c of centreSignatures(1, 6, { chestSlices: 32 })) {
      for (const v of [c.brain.thickCtMm, c.brain.thickMrMm, c.brain.thinMm, c.ct.huOffset, c.ct.noiseSigma, c.mr.gain]) expect(String(v).length).toBeLessThan(8);
    }
  });
});
