import { describe, expect, it } from 'vitest';
import { fromRows } from './matrix.js';
import { Rng } from './rng.js';
import { knnLabelAgreement, silhouette } from './separation.js';

describe('silhouette', () => {
  it('matches sklearn.metrics.silhouette_score (1.2.1), a singleton group included', () => {
    const j = Array.from({ length: 15 }, (_, i) => i);
    const x = fromRows(j.map((i) => [Math.sin(i * 0.77) * 3 + (i % 3), Math.cos(i * 1.3) * 2]));
    const labels = j.map((i) => (i === 14 ? 3 : i % 3));
    expect(silhouette(x, labels)).toBeCloseTo(-0.2307884625059727, 12);
  });

  it('by hand: two tight pairs far apart', () => {
    // points 0, 1 and 10, 11 on a line
    const x = fromRows([[0], [1], [10], [11]]);
    // point 0: a = 1, b = (10 + 11) / 2 = 10.5 → 9.5 / 10.5; point 1: a = 1, b = 9.5 → 8.5 / 9.5; symmetric for the others
    const expected = (2 * (9.5 / 10.5) + 2 * (8.5 / 9.5)) / 4;
    expect(silhouette(x, ['A', 'A', 'B', 'B'])).toBeCloseTo(expected, 12);
    expect(() => silhouette(x, [1, 1, 1, 1])).toThrow(/needs 2..N−1 groups/);
  });
});

describe('kNN label agreement', () => {
  it('is 1 for separated groups and near Σp² for random labels', () => {
    const rng = new Rng(1);
    const rows = Array.from({ length: 200 }, (_, i) => [rng.normal() + (i % 2) * 20, rng.normal()]);
    const labels = rows.map((_, i) => i % 2);
    expect(knnLabelAgreement(fromRows(rows), labels, 5)).toBe(1);
    const mixed = Array.from({ length: 400 }, () => [rng.normal(), rng.normal()]);
    const random = mixed.map((_, i) => i % 4);
    const a = knnLabelAgreement(fromRows(mixed), random, 10);
    expect(a).toBeGreaterThan(0.15);
    expect(a).toBeLessThan(0.35);
    expect(() => knnLabelAgreement(fromRows(rows), labels, 0)).toThrow(/k must be/);
  });
});
