/**
 * Latent Dice map (paper section 3.3.3, Fig. 17): the segmenter's encoder features are projected
 * to 2-D by PCA, a small MLP is fitted to the per-sample Dice scores over that plane, and the
 * MLP's prediction on a regular grid covering the samples shows where in the latent space the
 * model is expected to do well, including regions with no data.
 */
import { checkMatrix, type Matrix } from './matrix.js';
import { fitMlp, predictMlp, type MlpOptions } from './mlp.js';
import { fitPca, pcaTransform, type PcaModel } from './pca.js';

export interface DiceMapOptions extends MlpOptions {
  /** Grid cells per axis (default 64). */
  gridSize?: number;
  /** Extra border around the samples' bounding box, as a fraction of its size (default 0.1). */
  margin?: number;
}

export interface DiceMap {
  /** The 2-D PCA the samples were projected with: place new samples with pcaTransform(pca, …). */
  pca: PcaModel;
  /** N×2 PCA coordinates of the samples. */
  coords: Float64Array;
  dice: Float64Array;
  explainedVarianceRatio: [number, number];
  /** gridSize×gridSize predicted Dice, row y (PC2 ascending) major; cell centres below. */
  grid: Float32Array;
  gridSize: number;
  /** PC1 range [x0, x1] and PC2 range [y0, y1] covered by the grid (cell edges). */
  extent: [number, number, number, number];
  /** The MLP's Dice prediction at each sample and the fit's RMSE and R². */
  fitted: Float64Array;
  rmse: number;
  r2: number;
}

export function latentDiceMap(features: Matrix, dice: ArrayLike<number>, options: DiceMapOptions = {}): DiceMap {
  checkMatrix(features, 'latent Dice map features');
  const N = features.rows;
  if (dice.length !== N) throw new Error(`latent Dice map: ${N} feature rows but ${dice.length} Dice scores`);
  for (let i = 0; i < N; i++) if (!(dice[i] >= 0 && dice[i] <= 1)) throw new Error(`latent Dice map: Dice score ${i} is ${dice[i]}, must be in [0, 1]`);
  if (N < 3) throw new Error(`latent Dice map: needs at least 3 samples (got ${N})`);
  if (features.cols < 2) throw new Error(`latent Dice map: features need at least 2 dimensions (got ${features.cols})`);
  const G = options.gridSize ?? 64;
  const margin = options.margin ?? 0.1;
  const pca = fitPca(features, 2);
  const coords = pcaTransform(pca, features);
  // Standardise the plane so the MLP sees unit-scale inputs whatever the feature units.
  const mean = [0, 0];
  const sd = [0, 0];
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) mean[a] += coords[2 * i + a] / N;
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) sd[a] += (coords[2 * i + a] - mean[a]) ** 2 / N;
  for (let a = 0; a < 2; a++) sd[a] = Math.sqrt(sd[a]) || 1;
  const z = (x: number, y: number): [number, number] => [(x - mean[0]) / sd[0], (y - mean[1]) / sd[1]];
  const inputs = Array.from({ length: N }, (_, i) => z(coords[2 * i], coords[2 * i + 1]));
  const { model } = fitMlp(inputs, dice, options);
  const fitted = Float64Array.from(inputs, (x) => predictMlp(model, x));
  let diceMean = 0;
  for (let i = 0; i < N; i++) diceMean += dice[i] / N;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < N; i++) {
    ssRes += (fitted[i] - dice[i]) ** 2;
    ssTot += (dice[i] - diceMean) ** 2;
  }
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < N; i++)
    for (let a = 0; a < 2; a++) {
      lo[a] = Math.min(lo[a], coords[2 * i + a]);
      hi[a] = Math.max(hi[a], coords[2 * i + a]);
    }
  for (let a = 0; a < 2; a++) {
    const pad = (hi[a] - lo[a] || 1) * margin;
    lo[a] -= pad;
    hi[a] += pad;
  }
  const grid = new Float32Array(G * G);
  for (let gy = 0; gy < G; gy++)
    for (let gx = 0; gx < G; gx++) {
      const x = lo[0] + ((gx + 0.5) / G) * (hi[0] - lo[0]);
      const y = lo[1] + ((gy + 0.5) / G) * (hi[1] - lo[1]);
      grid[gy * G + gx] = predictMlp(model, z(x, y));
    }
  return {
    pca,
    coords,
    dice: Float64Array.from(dice),
    explainedVarianceRatio: [pca.explainedVarianceRatio[0], pca.explainedVarianceRatio[1]],
    grid,
    gridSize: G,
    extent: [lo[0], hi[0], lo[1], hi[1]],
    fitted,
    rmse: Math.sqrt(ssRes / N),
    r2: ssTot > 0 ? 1 - ssRes / ssTot : 0,
  };
}
