import { describe, expect, it } from 'vitest';
import { latentDiceMap } from './dice-map.js';
import { fromRows } from './matrix.js';
import { pcaTransform } from './pca.js';
import { fitMlp, predictMlp } from './mlp.js';
import { Rng } from './rng.js';

describe('fitMlp (Adam, MSE)', () => {
  it('fits a smooth function of two inputs and is deterministic for a seed', () => {
    const rng = new Rng(1);
    const X = Array.from({ length: 80 }, () => [2 * rng.uniform() - 1, 2 * rng.uniform() - 1]);
    const f = (x: number[]) => 0.5 + 0.4 * Math.tanh(2 * x[0] - x[1]);
    const y = X.map(f);
    const { model, loss } = fitMlp(X, y, { epochs: 800, seed: 3 });
    expect(loss).toBeLessThan(1e-3);
    expect(predictMlp(model, [0.5, -0.5])).toBeCloseTo(f([0.5, -0.5]), 1);
    const again = fitMlp(X, y, { epochs: 800, seed: 3 });
    expect(again.loss).toBe(loss);
  });

  it('rejects mismatched data', () => {
    expect(() => fitMlp([[1]], [1, 2])).toThrow(/1 inputs but 2 targets/);
  });
});

describe('latentDiceMap (section 3.3.3)', () => {
  it('maps Dice over the PCA plane: high where good samples lie, with the samples on it', () => {
    // 8-D features whose first principal direction carries "ventricle size"; Dice grows with it
    const rng = new Rng(2);
    const N = 120;
    const rows: number[][] = [];
    const dice: number[] = [];
    for (let i = 0; i < N; i++) {
      const size = 4 * rng.normal();
      const other = rng.normal();
      rows.push(Array.from({ length: 8 }, (_, d) => (d < 4 ? size : other) + 0.1 * rng.normal()));
      dice.push(1 / (1 + Math.exp(-size)) * 0.9 + 0.05);
    }
    const map = latentDiceMap(fromRows(rows), dice, { gridSize: 16, epochs: 600, seed: 1 });
    expect(map.coords.length).toBe(2 * N);
    expect(map.grid.length).toBe(256);
    expect(map.explainedVarianceRatio[0]).toBeGreaterThan(0.8);
    expect(map.r2).toBeGreaterThan(0.95);
    expect(map.rmse).toBeLessThan(0.05);
    // the first axis points to larger "size" (largest loading positive) → Dice rises along x
    const row = Array.from({ length: 16 }, (_, gx) => map.grid[8 * 16 + gx]);
    expect(row[15]).toBeGreaterThan(0.85);
    expect(row[0]).toBeLessThan(0.15);
    // the returned PCA is the one that placed the samples: new points project the same way
    const again = pcaTransform(map.pca, fromRows(rows));
    for (let i = 0; i < 2 * N; i++) expect(again[i]).toBeCloseTo(map.coords[i], 12);
    // every sample lies inside the grid's extent
    const [x0, x1, y0, y1] = map.extent;
    for (let i = 0; i < N; i++) {
      expect(map.coords[2 * i]).toBeGreaterThan(x0);
      expect(map.coords[2 * i]).toBeLessThan(x1);
      expect(map.coords[2 * i + 1]).toBeGreaterThan(y0);
      expect(map.coords[2 * i + 1]).toBeLessThan(y1);
    }
  });

  it('rejects Dice outside [0, 1] and mismatched counts', () => {
    const x = fromRows([[1, 2], [2, 3], [0, 1], [4, 4]]);
    expect(() => latentDiceMap(x, [0.5, 1.2, 0.3, 0.1])).toThrow(/Dice score 1 is 1.2/);
    expect(() => latentDiceMap(x, [0.5])).toThrow(/4 feature rows but 1 Dice scores/);
  });
});
