/**
 * Trustworthiness of an embedding (Venna & Kaski 2001), exactly as
 * sklearn.manifold.trustworthiness: T(k) = 1 − 2/(N k (2N − 3k − 1)) Σ_i Σ_{j ∈ N_k^emb(i)} max(0, r(i, j) − k),
 * r(i, j) the rank of j among i's neighbours in the input space (1 = nearest). Euclidean.
 */
import { checkMatrix, sqDist, type Matrix } from './matrix.js';
import { nearestNeighbours } from './neighbours.js';

export function trustworthiness(x: Matrix, embedded: Matrix, nNeighbors = 5): number {
  checkMatrix(x, 'trustworthiness input');
  checkMatrix(embedded, 'trustworthiness embedding');
  const N = x.rows;
  if (embedded.rows !== N) throw new Error(`trustworthiness: input has ${N} rows, embedding ${embedded.rows}`);
  if (!(Number.isInteger(nNeighbors) && nNeighbors >= 1 && nNeighbors < N / 2))
    throw new Error(`trustworthiness: nNeighbors must be an integer in [1, N/2) = [1, ${N / 2}) (got ${nNeighbors}), as sklearn requires`);
  const k = nNeighbors;
  const emb = nearestNeighbours(embedded, k).index;
  const d = new Float64Array(N);
  let t = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) d[j] = j === i ? Infinity : sqDist(x, i, j);
    for (let r = 0; r < k; r++) {
      const j = emb[i * k + r];
      // rank of j = 1 + number of points strictly closer to i (ties broken by index, as a stable sort)
      let rank = 1;
      const dj = d[j];
      for (let l = 0; l < N; l++) if (d[l] < dj || (d[l] === dj && l < j)) rank++;
      if (rank > k) t += rank - k;
    }
  }
  return 1 - (t * 2) / (N * k * (2 * N - 3 * k - 1));
}
