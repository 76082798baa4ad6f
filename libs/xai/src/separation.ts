/**
 * How strongly an embedding separates groups (e.g. the consortium t-SNE coloured by centre:
 * domain shift shows as centres that separate before federation and mix after):
 * - silhouette (Rousseeuw 1987, as sklearn.metrics.silhouette_score with Euclidean distance):
 *   mean over points of (b − a) / max(a, b), a = mean distance to the own group, b = smallest
 *   mean distance to another group; 0 for points alone in their group;
 * - k-NN label agreement: the fraction of each point's k nearest neighbours with its label,
 *   averaged (1 = groups fully separated, ≈ Σ p_g² when mixed at random).
 */
import { checkMatrix, type Matrix } from './matrix.js';
import { nearestNeighbours } from './neighbours.js';

function groups(labels: ArrayLike<number | string>, n: number): { index: Int32Array; count: number; sizes: number[] } {
  if (labels.length !== n) throw new Error(`separation: ${labels.length} labels for ${n} points`);
  const ids = new Map<number | string, number>();
  const index = new Int32Array(n);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    let g = ids.get(labels[i]);
    if (g === undefined) {
      g = ids.size;
      ids.set(labels[i], g);
      sizes.push(0);
    }
    index[i] = g;
    sizes[g]++;
  }
  return { index, count: ids.size, sizes };
}

export function silhouette(x: Matrix, labels: ArrayLike<number | string>): number {
  checkMatrix(x, 'silhouette input');
  const N = x.rows;
  const { index, count, sizes } = groups(labels, N);
  if (!(count >= 2 && count <= N - 1)) throw new Error(`silhouette: needs 2..N−1 groups (got ${count} for ${N} points), as sklearn requires`);
  const D = x.cols;
  const sums = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < N; i++) {
    sums.fill(0);
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      let s = 0;
      for (let a = 0; a < D; a++) {
        const d = x.data[i * D + a] - x.data[j * D + a];
        s += d * d;
      }
      sums[index[j]] += Math.sqrt(s);
    }
    const own = index[i];
    if (sizes[own] === 1) continue;
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let g = 0; g < count; g++) if (g !== own) b = Math.min(b, sums[g] / sizes[g]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / N;
}

export function knnLabelAgreement(x: Matrix, labels: ArrayLike<number | string>, k = 10): number {
  checkMatrix(x, 'kNN agreement input');
  const N = x.rows;
  const { index } = groups(labels, N);
  if (!(Number.isInteger(k) && k >= 1 && k < N)) throw new Error(`kNN agreement: k must be an integer in [1, N − 1] (got ${k})`);
  const nn = nearestNeighbours(x, k).index;
  let agree = 0;
  for (let i = 0; i < N; i++) for (let t = 0; t < k; t++) if (index[nn[i * k + t]] === index[i]) agree++;
  return agree / (N * k);
}
