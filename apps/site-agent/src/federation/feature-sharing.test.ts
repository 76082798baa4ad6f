import { describe, expect, it } from 'vitest';
import { FEATURE_LIMITS } from '@unbox/protocol';
import { gaussian, sharedFeatures } from './feature-sharing.js';

const sample = (n: number, dim: number) => ({ unit: 'patient' as const, samples: Array.from({ length: n }, (_, i) => ({ label: i % 2 ? 'positive' : 'negative', values: Float32Array.from({ length: dim }, (_, j) => i + j / 8) })) });

describe('shared features (what an opted-in site sends)', () => {
  it('without noise: the trainer’s vectors and labels as they are, σ = 0 recorded', () => {
    const f = sharedFeatures(sample(3, 4), 0);
    expect(f).toMatchObject({ layer: 'backbone_gap', unit: 'patient', dim: 4, noise_sigma: 0 });
    expect(f.samples[1]).toEqual({ label: 'positive', values: [1, 1.125, 1.25, 1.375] });
  });

  it('adds σ·z to every value with the given draws (by hand), and records σ', () => {
    const f = sharedFeatures(sample(1, 3), 0.5, (n) => Float64Array.from({ length: n }, (_, i) => i - 1));
    expect(f.samples[0].values).toEqual([0 - 0.5, 0.125, 0.25 + 0.5]);
    expect(f.noise_sigma).toBe(0.5);
  });

  it('draws standard normal noise (mean ≈ 0, variance ≈ 1 over 20 000 draws), never the same twice', () => {
    const z = gaussian(20_001);
    let m = 0;
    for (const v of z) m += v / z.length;
    let v2 = 0;
    for (const v of z) v2 += (v - m) ** 2 / z.length;
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(Math.abs(v2 - 1)).toBeLessThan(0.05);
    expect(z.every(Number.isFinite)).toBe(true);
    const a = sharedFeatures(sample(1, 8), 1);
    const b = sharedFeatures(sample(1, 8), 1);
    expect(a.samples[0].values).not.toEqual(b.samples[0].values);
  });

  it('refuses what the protocol would refuse: too many samples, ragged vectors, nothing to share', () => {
    expect(() => sharedFeatures(sample(FEATURE_LIMITS.samples + 1, 2), 0)).toThrow(/field 'samples'/);
    const ragged = sample(2, 3);
    ragged.samples[1].values = new Float32Array(2);
    expect(() => sharedFeatures(ragged, 0)).toThrow(/samples.1.values/);
    expect(() => sharedFeatures({ unit: 'slice', samples: [] }, 0)).toThrow(/no feature vectors/);
  });
});
