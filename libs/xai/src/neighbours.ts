/** Exact k-nearest-neighbour search (brute force, Euclidean), shared by t-SNE and the embedding metrics. */
import { sqDist, type Matrix } from './matrix.js';

/** k nearest neighbours of every row by Euclidean distance: indices and squared distances, nearest first. */
export function nearestNeighbours(x: Matrix, k: number): { index: Int32Array; dist2: Float64Array } {
  const N = x.rows;
  const index = new Int32Array(N * k);
  const dist2 = new Float64Array(N * k);
  const hd = new Float64Array(k);
  const hi = new Int32Array(k);
  for (let i = 0; i < N; i++) {
    // max-heap of the k best so far
    let size = 0;
    for (let j = 0; j < N; j++) {
      if (j === i) continue;
      const dj = sqDist(x, i, j);
      if (size < k) {
        let c = size++;
        hd[c] = dj;
        hi[c] = j;
        while (c > 0) {
          const p = (c - 1) >> 1;
          if (hd[p] >= hd[c]) break;
          [hd[p], hd[c]] = [hd[c], hd[p]];
          [hi[p], hi[c]] = [hi[c], hi[p]];
          c = p;
        }
      } else if (dj < hd[0]) {
        hd[0] = dj;
        hi[0] = j;
        let c = 0;
        for (;;) {
          const l = 2 * c + 1;
          const r = l + 1;
          let m = c;
          if (l < k && hd[l] > hd[m]) m = l;
          if (r < k && hd[r] > hd[m]) m = r;
          if (m === c) break;
          [hd[m], hd[c]] = [hd[c], hd[m]];
          [hi[m], hi[c]] = [hi[c], hi[m]];
          c = m;
        }
      }
    }
    const order = Array.from({ length: size }, (_, t) => t).sort((a, b) => hd[a] - hd[b] || hi[a] - hi[b]);
    order.forEach((t, r) => {
      index[i * k + r] = hi[t];
      dist2[i * k + r] = hd[t];
    });
  }
  return { index, dist2 };
}
