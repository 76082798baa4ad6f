import { describe, expect, it } from 'vitest';
import { fromRows, type Matrix } from './matrix.js';
import { Rng } from './rng.js';
import { trustworthiness } from './trustworthiness.js';
import { nearestNeighbours } from './neighbours.js';
import { conditionalRow, jointProbabilities, jointProbabilitiesNN, klGradientBH, klGradientExact, pcaInit, tsne } from './tsne.js';

/** Three well separated Gaussian blobs in 10-D. */
function blobs(perBlob: number, seed: number): { x: Matrix; label: number[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const label: number[] = [];
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < perBlob; i++) {
      rows.push(Array.from({ length: 10 }, (_, d) => (d === c ? 10 : 0) + rng.normal()));
      label.push(c);
    }
  return { x: fromRows(rows), label };
}

/** Fraction of points whose nearest embedded neighbour has their label. */
function nnAccuracy(Y: Float64Array, label: number[]): number {
  const nn = nearestNeighbours({ data: Y, rows: label.length, cols: 2 }, 1).index;
  return label.filter((l, i) => label[nn[i]] === l).length / label.length;
}

/**
 * sklearn 1.2.1 on the same points: _joint_probabilities(squared distances, perplexity 2.5)
 * (condensed), _kl_divergence at Y, trustworthiness(X2, Y2, n_neighbors=3). sklearn runs the
 * binary search in float32, hence the 1e-6 relative tolerance on P.
 */
const SKLEARN = {"P": [0.033900053941424035, 0.04960403979650973, 0.0008431230312291691, 0.0008571343986039323, 0.0016165234785417177, 0.005804428807927033, 0.005886018866172174, 0.0014053505016854396, 1.3295195796758891e-05, 0.007878668506345799, 0.05482076254259115, 8.099774346502207e-05, 0.0003117377182359928, 0.08792587401600603, 0.02062910694552773, 0.004330624997695882, 0.01149114835458358, 0.006477381388983371, 0.004193779762024934, 0.000319450982285009, 0.016119771746888008, 0.0050278547220057096, 0.08458620471712204, 0.0008118927000174463, 0.0008084805052055581, 0.0007136749912618029, 0.0012561514724713995, 0.09228646816939363], "kl": 1.216879403563924, "g": [0.006115037708785999, -0.026078751590742556, 0.04194124627212367, -0.03856486586646769, -0.14107228037804168, 0.029436552291723834, 0.08789754509030483, 0.05914776294758912, 0.106360035702717, -0.016019229526573225, -0.06880471627854626, 0.04351269105339692, 0.042511602213369776, 0.011030829256575336, -0.07494847033071336, -0.06246498856550173], "tw": 0.4656084656084656};

describe('t-SNE against sklearn', () => {
  const i8 = Array.from({ length: 8 }, (_, i) => i);
  const X = fromRows(i8.map((i) => [Math.sin(i * 1.7) * 3, Math.cos(i * 0.9) * 2, i * 0.5]));
  const Y = Float64Array.from(i8.flatMap((i) => [Math.sin(i * 2.3), Math.cos(i * 1.1)]));

  it('joint probabilities, KL and its gradient', () => {
    const P = jointProbabilities(X, 2.5);
    let t = 0;
    for (let i = 0; i < 8; i++)
      for (let j = i + 1; j < 8; j++) {
        expect(Math.abs(P[i * 8 + j] - SKLEARN.P[t]) / SKLEARN.P[t]).toBeLessThan(1e-6);
        t++;
      }
    const g = new Float64Array(16);
    const kl = klGradientExact(P, Y, 8, 1, g);
    expect(Math.abs(kl - SKLEARN.kl) / SKLEARN.kl).toBeLessThan(1e-6);
    for (let k = 0; k < 16; k++) expect(g[k]).toBeCloseTo(SKLEARN.g[k], 6);
  });

  it('trustworthiness', () => {
    const j14 = Array.from({ length: 14 }, (_, j) => j);
    const X2 = fromRows(j14.map((j) => [Math.sin(j * 0.77) * 3, Math.cos(j * 1.3) * 2, Math.sin(j * 0.31)]));
    const Y2 = fromRows(j14.map((j) => [Math.sin(j * 0.5), Math.cos(j * 2.1)]));
    expect(trustworthiness(X2, Y2, 3)).toBeCloseTo(SKLEARN.tw, 12);
  });
});

describe('t-SNE affinities', () => {
  it('binary search reaches the perplexity (entropy = log perplexity)', () => {
    const rng = new Rng(0);
    const d = Float64Array.from({ length: 99 }, () => rng.uniform() * 20);
    const p = new Float64Array(99);
    conditionalRow(d, 30, p);
    const H = -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
    expect(H).toBeCloseTo(Math.log(30), 4);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it('joint P is symmetric and sums to one (dense and k-NN)', () => {
    const { x } = blobs(20, 1);
    const N = x.rows;
    const P = jointProbabilities(x, 10);
    let s = 0;
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      s += P[i * N + j];
      expect(P[i * N + j]).toBe(P[j * N + i]);
    }
    expect(s).toBeCloseTo(1, 10);
    const S = jointProbabilitiesNN(x, 10);
    expect(S.values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(S.indptr[1] - S.indptr[0]).toBeGreaterThanOrEqual(31); // 3·10 + 1 neighbours at least
  });
});

describe('t-SNE gradients', () => {
  const rng = new Rng(5);
  const N = 30;
  const { x } = blobs(10, 2);
  const P = jointProbabilities(x, 8);
  const Y = Float64Array.from({ length: 2 * N }, () => rng.normal());

  it('exact gradient equals the finite-difference derivative of the KL divergence', () => {
    const g = new Float64Array(2 * N);
    klGradientExact(P, Y, N, 1, g);
    const tmp = new Float64Array(2 * N);
    for (const t of [0, 7, 33, 59]) {
      const h = 1e-6;
      const Yp = Float64Array.from(Y);
      Yp[t] += h;
      const Ym = Float64Array.from(Y);
      Ym[t] -= h;
      const fd = (klGradientExact(P, Yp, N, 1, tmp) - klGradientExact(P, Ym, N, 1, tmp)) / (2 * h);
      expect(g[t]).toBeCloseTo(fd, 5);
    }
  });

  it('Barnes–Hut with θ = 0 equals the exact gradient for the same sparse P', () => {
    const S = jointProbabilitiesNN(x, 8);
    const dense = new Float64Array(N * N);
    for (let i = 0; i < N; i++) for (let t = S.indptr[i]; t < S.indptr[i + 1]; t++) dense[i * N + S.indices[t]] = S.values[t];
    const ge = new Float64Array(2 * N);
    const gb = new Float64Array(2 * N);
    const kle = klGradientExact(dense, Y, N, 12, ge);
    const klb = klGradientBH(S, Y, N, 12, 0, gb);
    for (let t = 0; t < 2 * N; t++) expect(gb[t]).toBeCloseTo(ge[t], 10);
    expect(klb).toBeCloseTo(kle, 8);
    // θ = 0.5 stays close
    const gh = new Float64Array(2 * N);
    klGradientBH(S, Y, N, 12, 0.5, gh);
    const err = Math.hypot(...gh.map((v, t) => v - ge[t])) / Math.hypot(...ge);
    expect(err).toBeLessThan(0.05);
  });
});

describe('tsne', () => {
  it('PCA initialisation has std 1e-4 along the first axis', () => {
    const { x } = blobs(10, 3);
    const Y = pcaInit(x);
    const c0 = Array.from({ length: 30 }, (_, i) => Y[2 * i]);
    const m = c0.reduce((a, b) => a + b, 0) / 30;
    expect(Math.sqrt(c0.reduce((s, v) => s + (v - m) ** 2, 0) / 30)).toBeCloseTo(1e-4, 12);
  });

  it('exact method separates clusters, is trustworthy and deterministic', () => {
    const { x, label } = blobs(40, 4);
    const r = tsne(x);
    expect(r.method).toBe('exact');
    expect(r.learningRate).toBe(50); // max(120 / 48, 50)
    expect(nnAccuracy(r.embedding, label)).toBe(1);
    expect(r.klDivergence).toBeGreaterThan(0);
    expect(r.klDivergence).toBeLessThan(2);
    expect(trustworthiness(x, { data: r.embedding, rows: 120, cols: 2 })).toBeGreaterThan(0.9);
    expect(Array.from(tsne(x).embedding)).toEqual(Array.from(r.embedding));
  });

  it('Barnes–Hut separates clusters too', () => {
    const { x, label } = blobs(100, 6);
    const r = tsne(x, { method: 'barnes_hut' });
    expect(r.method).toBe('barnes_hut');
    expect(r.learningRate).toBe(50);
    expect(nnAccuracy(r.embedding, label)).toBeGreaterThan(0.99);
    expect(trustworthiness(x, { data: r.embedding, rows: 300, cols: 2 })).toBeGreaterThan(0.9);
  });

  it('rejects a perplexity not below N', () => {
    const { x } = blobs(3, 7);
    expect(() => tsne(x)).toThrow(/perplexity must be in \(0, N = 9\)/);
  });
});

describe('trustworthiness', () => {
  /** sklearn's formulation: ranks from a full argsort of the input distances. */
  function reference(x: Matrix, e: Matrix, k: number): number {
    const N = x.rows;
    const d = (m: Matrix, i: number, j: number) => {
      let s = 0;
      for (let a = 0; a < m.cols; a++) s += (m.data[i * m.cols + a] - m.data[j * m.cols + a]) ** 2;
      return s;
    };
    let t = 0;
    for (let i = 0; i < N; i++) {
      const order = Array.from({ length: N }, (_, j) => j).filter((j) => j !== i).sort((a, b) => d(x, i, a) - d(x, i, b) || a - b);
      const rank = new Map(order.map((j, r) => [j, r + 1]));
      const emb = Array.from({ length: N }, (_, j) => j).filter((j) => j !== i).sort((a, b) => d(e, i, a) - d(e, i, b) || a - b).slice(0, k);
      for (const j of emb) t += Math.max(0, rank.get(j)! - k);
    }
    return 1 - (t * 2) / (N * k * (2 * N - 3 * k - 1));
  }

  it('is 1 for an isometric embedding and matches the rank definition otherwise', () => {
    const rng = new Rng(8);
    const x = fromRows(Array.from({ length: 40 }, () => [rng.normal(), rng.normal(), rng.normal()]));
    const iso = fromRows(Array.from({ length: 40 }, (_, i) => [x.data[3 * i] * 2, x.data[3 * i + 1] * 2, x.data[3 * i + 2] * 2]));
    expect(trustworthiness(x, iso)).toBe(1);
    const random = fromRows(Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]));
    const t = trustworthiness(x, random, 5);
    expect(t).toBeCloseTo(reference(x, random, 5), 12);
    expect(t).toBeLessThan(0.75);
    expect(() => trustworthiness(x, random, 20)).toThrow(/nNeighbors must be/);
  });
});
