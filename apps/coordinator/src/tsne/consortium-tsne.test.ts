import { describe, expect, it } from 'vitest';
import type { SharedFeatures } from '@unbox/protocol';
import { centreSeparation, commonDim, consortiumTsne, perplexityFor, type SiteFeatures } from './consortium-tsne.js';

/** Deterministic pseudo-random values in [−0.5, 0.5). */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function site(centre: string, n: number, dim: number, offset: number, seed: number, sigma = 0): SiteFeatures {
  const r = noise(seed);
  const features: SharedFeatures = {
    layer: 'backbone_gap', unit: 'patient', dim, noise_sigma: sigma,
    samples: Array.from({ length: n }, (_, i) => ({ label: i % 2 ? 'positive' : 'negative', values: Array.from({ length: dim }, () => offset + r()) })),
  };
  return { centre, features };
}

describe('consortium t-SNE', () => {
  it('lowers sklearn’s perplexity 30 below 91 points, as sklearn requires perplexity < N', () => {
    expect(perplexityFor(200)).toBe(30);
    expect(perplexityFor(91)).toBe(30);
    expect(perplexityFor(31)).toBe(10);
  });

  it('chance level of k-NN centre agreement is Σ n_c(n_c − 1) / (n(n − 1)), by hand for 3 + 1 points', () => {
    const x = { data: Float64Array.from([0, 0, 1, 0, 2, 0, 10, 0]), rows: 4, cols: 2 };
    const s = centreSeparation(x, ['A', 'A', 'A', 'B'], 1);
    expect(s.knn_chance).toBeCloseTo((3 * 2) / (4 * 3), 12);
    // nearest neighbours: 0→1 (A), 1→0 (A), 2→1 (A), 3→2 (A): 3 of 4 agree
    expect(s.knn_agreement).toBeCloseTo(0.75, 12);
    expect(s.k).toBe(1);
    expect(centreSeparation(x, ['A', 'A', 'A', 'A'])).toEqual({ silhouette: null, knn_agreement: null, knn_chance: null, k: null });
  });

  it('separated centres give a high centre silhouette and k-NN agreement; mixed ones do not', () => {
    const apart = consortiumTsne('r', 1, [site('A', 20, 16, 0, 1), site('B', 20, 16, 5, 2), site('C', 20, 16, -5, 3)], 1000);
    const mixed = consortiumTsne('r', 2, [site('A', 20, 16, 0, 1), site('B', 20, 16, 0, 2), site('C', 20, 16, 0, 3)], 1000);
    expect(apart.n).toBe(60);
    expect(apart.perplexity).toBeCloseTo(59 / 3, 12);
    expect(apart.method).toBe('exact');
    expect(apart.centre_separation.features.silhouette!).toBeGreaterThan(0.8);
    expect(apart.centre_separation.embedding.silhouette!).toBeGreaterThan(0.5);
    expect(apart.centre_separation.embedding.knn_agreement).toBe(1);
    expect(mixed.centre_separation.features.silhouette!).toBeLessThan(0.1);
    expect(mixed.centre_separation.embedding.knn_agreement!).toBeLessThan(0.6);
    expect(mixed.centre_separation.embedding.knn_chance).toBeCloseTo((3 * 20 * 19) / (60 * 59), 12);
    expect(apart.trustworthiness).toBeGreaterThan(0.8);
    // labels alternate within every centre: no class structure, centre structure dominates
    expect(apart.label_separation?.features.silhouette!).toBeLessThan(0.1);
    expect(apart.label_separation?.features.knn_chance).toBeCloseTo((2 * 30 * 29) / (60 * 59), 12);
    expect(Number.isFinite(apart.kl) && apart.kl >= 0).toBe(true);
  });

  it('keeps each point’s centre and label, and records every site’s noise σ (the largest overall)', () => {
    const t = consortiumTsne('run-1', 3, [site('A', 5, 4, 0, 1, 0.2), site('B', 4, 4, 1, 2)], 42);
    expect(t.points.map((p) => p.centre)).toEqual([...'AAAAA', ...'BBBB']);
    expect(t.points.map((p) => p.label)).toEqual(['negative', 'positive', 'negative', 'positive', 'negative', 'negative', 'positive', 'negative', 'positive']);
    expect(t.noise_sigma).toBe(0.2);
    expect(t.noise_sigma_by_centre).toEqual({ A: 0.2, B: 0 });
    expect(t).toMatchObject({ run_id: 'run-1', round: 3, n: 9, dim: 4, created_at: 42, unit: 'patient' });
    expect(Object.keys(t.points[0]).sort()).toEqual(['centre', 'label', 'x', 'y']);
  });

  it('refuses too few points and sites whose vectors have another length, naming them', () => {
    expect(() => consortiumTsne('r', 1, [site('A', 3, 4, 0, 1), site('B', 3, 4, 0, 2)], 0)).toThrow(/only 6 shared feature vectors/);
    const sites = [site('A', 10, 4, 0, 1), site('B', 10, 4, 0, 2), site('C', 3, 8, 0, 3)];
    expect(commonDim(sites)).toMatchObject({ dim: 4, dropped: ['C'] });
    expect(() => consortiumTsne('r', 1, sites, 0)).toThrow(/sites C shared differently sized features/);
  });
});
