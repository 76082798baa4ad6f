/**
 * t-SNE (van der Maaten & Hinton 2008; Barnes–Hut: van der Maaten 2014) with
 * sklearn.manifold.TSNE's defaults and optimiser: perplexity 30 (binary search on the Gaussian
 * precision per point, tolerance 1e-5, 100 steps), squared Euclidean input distances, Student-t
 * with one degree of freedom, early exaggeration 12 for 250 iterations at momentum 0.5, then
 * momentum 0.8 up to 1000 iterations, learning rate "auto" = max(N / 12 / 4, 50), gains
 * (+0.2 / ×0.8, min 0.01), progress checked every 50 iterations (stop after 300 without
 * progress or when ‖grad‖ ≤ 1e-7), PCA initialisation scaled to std 1e-4 along the first axis.
 * Exact gradient up to `exactMaxPoints` (default 2000) points, Barnes–Hut (θ = 0.5, 3·perplexity
 * nearest neighbours) above. Deterministic.
 */
import { checkMatrix, sqDist, type Matrix } from './matrix.js';
import { nearestNeighbours } from './neighbours.js';
import { fitPca, pcaTransform } from './pca.js';

export interface TsneOptions {
  perplexity?: number;
  earlyExaggeration?: number;
  /** Number or 'auto' (default). */
  learningRate?: number | 'auto';
  maxIter?: number;
  /** 'auto' (default): exact up to exactMaxPoints, Barnes–Hut above. */
  method?: 'auto' | 'exact' | 'barnes_hut';
  exactMaxPoints?: number;
  angle?: number;
  /** Called every 50 iterations with (iteration, KL). */
  onProgress?: (iter: number, kl: number) => void;
}

export interface TsneResult {
  /** N×2 embedding, row-major. */
  embedding: Float64Array;
  /** KL(P‖Q) at the end (sklearn's kl_divergence_; Barnes–Hut: over the neighbour graph). */
  klDivergence: number;
  nIter: number;
  method: 'exact' | 'barnes_hut';
  learningRate: number;
}

const MACHINE_EPSILON = 2 ** -52;
const EPSILON_DBL = 1e-8;
const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * sklearn's _binary_search_perplexity for one row: conditional probabilities p_{j|i} from squared
 * distances `d` (the entries for j = i excluded by the caller).
 */
export function conditionalRow(d: Float64Array, perplexity: number, out: Float64Array): number {
  const desired = Math.log(perplexity);
  let beta = 1;
  let betaMin = -Infinity;
  let betaMax = Infinity;
  for (let step = 0; step < 100; step++) {
    let sumP = 0;
    for (let j = 0; j < d.length; j++) sumP += out[j] = Math.exp(-d[j] * beta);
    if (sumP === 0) sumP = EPSILON_DBL;
    let sumDP = 0;
    for (let j = 0; j < d.length; j++) {
      out[j] /= sumP;
      sumDP += d[j] * out[j];
    }
    const entropy = Math.log(sumP) + beta * sumDP;
    const diff = entropy - desired;
    if (Math.abs(diff) <= 1e-5) break;
    if (diff > 0) {
      betaMin = beta;
      beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
    } else {
      betaMax = beta;
      beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
    }
  }
  return beta;
}

/** Joint probabilities P (dense N×N, symmetric, Σ = 1), as sklearn's _joint_probabilities. */
export function jointProbabilities(x: Matrix, perplexity: number): Float64Array {
  const N = x.rows;
  const P = new Float64Array(N * N);
  const d = new Float64Array(N - 1);
  const row = new Float64Array(N - 1);
  for (let i = 0; i < N; i++) {
    let k = 0;
    for (let j = 0; j < N; j++) if (j !== i) d[k++] = sqDist(x, i, j);
    conditionalRow(d, perplexity, row);
    k = 0;
    for (let j = 0; j < N; j++) if (j !== i) P[i * N + j] = row[k++];
  }
  let sum = 0;
  for (let i = 0; i < N; i++)
    for (let j = i + 1; j < N; j++) {
      const v = P[i * N + j] + P[j * N + i];
      P[i * N + j] = P[j * N + i] = v;
      sum += 2 * v;
    }
  sum = Math.max(sum, MACHINE_EPSILON);
  for (let i = 0; i < N * N; i++) P[i] = Math.max(P[i] / sum, MACHINE_EPSILON);
  for (let i = 0; i < N; i++) P[i * N + i] = 0;
  return P;
}

/** Sparse symmetric P over the k-NN graph (CSR), as sklearn's _joint_probabilities_nn. */
export function jointProbabilitiesNN(x: Matrix, perplexity: number): { indptr: Int32Array; indices: Int32Array; values: Float64Array } {
  const N = x.rows;
  const k = Math.min(N - 1, Math.floor(3 * perplexity + 1));
  const { index, dist2 } = nearestNeighbours(x, k);
  const rows: Map<number, number>[] = Array.from({ length: N }, () => new Map());
  const out = new Float64Array(k);
  for (let i = 0; i < N; i++) {
    conditionalRow(dist2.subarray(i * k, (i + 1) * k), perplexity, out);
    for (let t = 0; t < k; t++) {
      const j = index[i * k + t];
      rows[i].set(j, (rows[i].get(j) ?? 0) + out[t]);
      rows[j].set(i, (rows[j].get(i) ?? 0) + out[t]);
    }
  }
  let total = 0;
  for (const r of rows) for (const v of r.values()) total += v;
  total = Math.max(total, MACHINE_EPSILON);
  const indptr = new Int32Array(N + 1);
  for (let i = 0; i < N; i++) indptr[i + 1] = indptr[i] + rows[i].size;
  const indices = new Int32Array(indptr[N]);
  const values = new Float64Array(indptr[N]);
  rows.forEach((r, i) => {
    const keys = [...r.keys()].sort((a, b) => a - b);
    keys.forEach((j, t) => {
      indices[indptr[i] + t] = j;
      values[indptr[i] + t] = r.get(j)! / total;
    });
  });
  return { indptr, indices, values };
}

/**
 * Exact KL and gradient (sklearn _kl_divergence, dof = 1):
 * grad_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)/(1 + ‖y_i − y_j‖²). `work` (N(N−1)/2 values) may be
 * passed to avoid an allocation per iteration.
 */
export function klGradientExact(
  P: Float64Array,
  Y: Float64Array,
  N: number,
  exaggeration: number,
  grad: Float64Array,
  computeError = true,
  work?: Float64Array,
): number {
  // Pass 1: Student-t kernels w_ij for i < j (condensed, as pdist) and Z = Σ_{i≠j} w_ij.
  const W = work ?? new Float64Array((N * (N - 1)) / 2);
  let sumW = 0;
  let t = 0;
  for (let i = 0; i < N; i++) {
    const yi0 = Y[2 * i];
    const yi1 = Y[2 * i + 1];
    for (let j = i + 1; j < N; j++) {
      const dx = yi0 - Y[2 * j];
      const dy = yi1 - Y[2 * j + 1];
      const w = 1 / (1 + dx * dx + dy * dy);
      W[t++] = w;
      sumW += w;
    }
  }
  const invSum = 1 / (2 * sumW);
  // Pass 2: each pair once, its force applied to both ends.
  grad.fill(0);
  let kl = 0;
  t = 0;
  for (let i = 0; i < N; i++) {
    let gx = 0;
    let gy = 0;
    const yi0 = Y[2 * i];
    const yi1 = Y[2 * i + 1];
    const row = i * N;
    for (let j = i + 1; j < N; j++) {
      const w = W[t++];
      let q = w * invSum;
      if (q < MACHINE_EPSILON) q = MACHINE_EPSILON;
      const p = P[row + j] * exaggeration;
      if (computeError) kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
      const f = 4 * (p - q) * w;
      const fx = f * (yi0 - Y[2 * j]);
      const fy = f * (yi1 - Y[2 * j + 1]);
      gx += fx;
      gy += fy;
      grad[2 * j] -= fx;
      grad[2 * j + 1] -= fy;
    }
    grad[2 * i] += gx;
    grad[2 * i + 1] += gy;
  }
  return computeError ? kl : NaN;
}

/** A quadtree over the embedding with centre of mass and count per cell (flat arrays). */
class QuadTree {
  cx: Float64Array; // cell centre
  cy: Float64Array;
  half: Float64Array; // half width
  mx: Float64Array; // centre of mass
  my: Float64Array;
  count: Int32Array;
  child: Int32Array; // first of 4 children, −1 for a leaf
  point: Int32Array; // the point of a leaf holding one point (−1 when empty)
  n = 0;

  constructor(
    readonly Y: Float64Array,
    N: number,
  ) {
    const cap = 8 * N + 16;
    this.cx = new Float64Array(cap);
    this.cy = new Float64Array(cap);
    this.half = new Float64Array(cap);
    this.mx = new Float64Array(cap);
    this.my = new Float64Array(cap);
    this.count = new Int32Array(cap);
    this.child = new Int32Array(cap);
    this.point = new Int32Array(cap);
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < N; i++) {
      x0 = Math.min(x0, Y[2 * i]);
      x1 = Math.max(x1, Y[2 * i]);
      y0 = Math.min(y0, Y[2 * i + 1]);
      y1 = Math.max(y1, Y[2 * i + 1]);
    }
    const h = Math.max(x1 - x0, y1 - y0, 1e-12) / 2 + 1e-6;
    this.newCell((x0 + x1) / 2, (y0 + y1) / 2, h);
    for (let i = 0; i < N; i++) this.insert(i);
  }

  private grow(): void {
    const grow = <T extends Float64Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.cx = grow(this.cx);
    this.cy = grow(this.cy);
    this.half = grow(this.half);
    this.mx = grow(this.mx);
    this.my = grow(this.my);
    this.count = grow(this.count);
    this.child = grow(this.child);
    this.point = grow(this.point);
  }

  private newCell(cx: number, cy: number, half: number): number {
    if (this.n >= this.cx.length) this.grow();
    const c = this.n++;
    this.cx[c] = cx;
    this.cy[c] = cy;
    this.half[c] = half;
    this.mx[c] = 0;
    this.my[c] = 0;
    this.count[c] = 0;
    this.child[c] = -1;
    this.point[c] = -1;
    return c;
  }

  private quadrant(c: number, x: number, y: number): number {
    return (x >= this.cx[c] ? 1 : 0) + (y >= this.cy[c] ? 2 : 0);
  }

  private insert(i: number): void {
    const x = this.Y[2 * i];
    const y = this.Y[2 * i + 1];
    let c = 0;
    for (let depth = 0; ; depth++) {
      const n = this.count[c];
      this.mx[c] = (this.mx[c] * n + x) / (n + 1);
      this.my[c] = (this.my[c] * n + y) / (n + 1);
      this.count[c] = n + 1;
      if (this.child[c] < 0) {
        if (n === 0) {
          this.point[c] = i;
          return;
        }
        const p = this.point[c];
        // Duplicates (or cells too small to split) stay together in one leaf.
        if (p < 0 || depth > 48 || (this.Y[2 * p] === x && this.Y[2 * p + 1] === y)) {
          this.point[c] = -1;
          return;
        }
        const h = this.half[c] / 2;
        const first = this.n;
        for (let q = 0; q < 4; q++) this.newCell(this.cx[c] + (q & 1 ? h : -h), this.cy[c] + (q & 2 ? h : -h), h);
        this.child[c] = first;
        this.point[c] = -1;
        const pc = first + this.quadrant(c, this.Y[2 * p], this.Y[2 * p + 1]);
        this.mx[pc] = this.Y[2 * p];
        this.my[pc] = this.Y[2 * p + 1];
        this.count[pc] = 1;
        this.point[pc] = p;
      }
      c = this.child[c] + this.quadrant(c, x, y);
    }
  }

  /** Σ over summarised cells: returns Z contribution and adds the negative force to f. */
  negative(i: number, theta2: number, f: Float64Array, stack: Int32Array): number {
    const { Y, count, child, point, mx, my, half } = this;
    const x = Y[2 * i];
    const y = Y[2 * i + 1];
    let sumQ = 0;
    let fx = 0;
    let fy = 0;
    let top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const c = stack[--top];
      const cnt = count[c];
      if (cnt === 0) continue;
      const first = child[c];
      const leaf = first < 0;
      if (leaf && point[c] === i) continue; // no self-interaction
      const dx = x - mx[c];
      const dy = y - my[c];
      const d2 = dx * dx + dy * dy;
      const w = 2 * half[c];
      if (leaf || w * w < theta2 * d2) {
        // A leaf with duplicates of i counts the others only.
        const size = leaf && d2 === 0 ? cnt - 1 : cnt;
        if (size <= 0) continue;
        const q = 1 / (1 + d2);
        sumQ += size * q;
        const m = size * q * q;
        fx += m * dx;
        fy += m * dy;
      } else {
        if (top + 4 > stack.length) throw new Error('t-SNE quadtree: traversal stack overflow');
        stack[top++] = first;
        stack[top++] = first + 1;
        stack[top++] = first + 2;
        stack[top++] = first + 3;
      }
    }
    f[0] = fx;
    f[1] = fy;
    return sumQ;
  }
}

/** Barnes–Hut KL (over the neighbour graph) and gradient, as sklearn's _kl_divergence_bh. */
export function klGradientBH(
  P: { indptr: Int32Array; indices: Int32Array; values: Float64Array },
  Y: Float64Array,
  N: number,
  exaggeration: number,
  theta: number,
  grad: Float64Array,
  computeError = true,
): number {
  const tree = new QuadTree(Y, N);
  const neg = new Float64Array(2 * N);
  const f = new Float64Array(2);
  const stack = new Int32Array(4 * tree.n + 16);
  let sumQ = 0;
  for (let i = 0; i < N; i++) {
    sumQ += tree.negative(i, theta * theta, f, stack);
    neg[2 * i] = f[0];
    neg[2 * i + 1] = f[1];
  }
  let kl = 0;
  for (let i = 0; i < N; i++) {
    let px = 0;
    let py = 0;
    for (let t = P.indptr[i]; t < P.indptr[i + 1]; t++) {
      const j = P.indices[t];
      const p = P.values[t] * exaggeration;
      const dx = Y[2 * i] - Y[2 * j];
      const dy = Y[2 * i + 1] - Y[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      if (computeError) kl += p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(q / sumQ, FLOAT32_TINY));
      px += p * q * dx;
      py += p * q * dy;
    }
    grad[2 * i] = 4 * (px - neg[2 * i] / sumQ);
    grad[2 * i + 1] = 4 * (py - neg[2 * i + 1] / sumQ);
  }
  return kl;
}

/** sklearn's PCA initialisation: first two principal components, scaled so std of column 0 is 1e-4. */
export function pcaInit(x: Matrix): Float64Array {
  const N = x.rows;
  if (x.cols < 2) {
    const Y = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) Y[2 * i] = x.data[i * x.cols];
    return scaleInit(Y, N);
  }
  const model = fitPca(x, 2);
  return scaleInit(pcaTransform(model, x), N);
}

function scaleInit(Y: Float64Array, N: number): Float64Array {
  let m = 0;
  for (let i = 0; i < N; i++) m += Y[2 * i] / N;
  let v = 0;
  for (let i = 0; i < N; i++) v += (Y[2 * i] - m) ** 2 / N;
  const s = Math.sqrt(v) > 0 ? 1e-4 / Math.sqrt(v) : 1;
  return Y.map((y) => y * s);
}

export function tsne(x: Matrix, options: TsneOptions = {}): TsneResult {
  checkMatrix(x, 't-SNE input');
  const N = x.rows;
  const perplexity = options.perplexity ?? 30;
  const exaggeration = options.earlyExaggeration ?? 12;
  const maxIter = options.maxIter ?? 1000;
  const angle = options.angle ?? 0.5;
  if (N < 2) throw new Error(`t-SNE: needs at least 2 points (got ${N})`);
  if (!(perplexity > 0 && perplexity < N)) throw new Error(`t-SNE: perplexity must be in (0, N = ${N}) (got ${perplexity}), as sklearn requires`);
  if (!(exaggeration >= 1)) throw new Error(`t-SNE: early exaggeration must be ≥ 1 (got ${exaggeration})`);
  if (!(Number.isInteger(maxIter) && maxIter >= 250)) throw new Error(`t-SNE: maxIter must be an integer ≥ 250 (got ${maxIter})`);
  const lr = options.learningRate === undefined || options.learningRate === 'auto' ? Math.max(N / exaggeration / 4, 50) : options.learningRate;
  if (!(lr > 0)) throw new Error(`t-SNE: learning rate must be > 0 (got ${lr})`);
  const method = options.method === undefined || options.method === 'auto' ? (N <= (options.exactMaxPoints ?? 2000) ? 'exact' : 'barnes_hut') : options.method;
  const Y = pcaInit(x);
  let objective: (Y: Float64Array, ex: number, grad: Float64Array, computeError: boolean) => number;
  if (method === 'exact') {
    const P = jointProbabilities(x, perplexity);
    const work = new Float64Array((N * (N - 1)) / 2);
    objective = (Yc, ex, g, err) => klGradientExact(P, Yc, N, ex, g, err, work);
  } else {
    const P = jointProbabilitiesNN(x, perplexity);
    // Like sklearn, the (costly) Barnes–Hut error is only computed when it is checked.
    objective = (Yc, ex, g, err) => klGradientBH(P, Yc, N, ex, angle, g, err);
  }
  const update = new Float64Array(2 * N);
  const gains = new Float64Array(2 * N).fill(1);
  const grad = new Float64Array(2 * N);
  let kl = NaN;
  let it = 0;
  const stage = (start: number, end: number, momentum: number, ex: number, patience: number): number => {
    let best = Infinity;
    let bestIter = start;
    let i = start;
    for (; i < end; i++) {
      const check = (i + 1) % 50 === 0 || i === end - 1;
      const err = objective(Y, ex, grad, check);
      if (check) kl = err;
      let gn = 0;
      for (let t = 0; t < 2 * N; t++) {
        const inc = update[t] * grad[t] < 0;
        gains[t] = inc ? gains[t] + 0.2 : gains[t] * 0.8;
        if (gains[t] < 0.01) gains[t] = 0.01;
        const g = grad[t] * gains[t];
        gn += g * g;
        update[t] = momentum * update[t] - lr * g;
        Y[t] += update[t];
      }
      if ((i + 1) % 50 === 0) {
        options.onProgress?.(i + 1, kl);
        if (kl < best) {
          best = kl;
          bestIter = i;
        } else if (i - bestIter > patience) break;
        if (Math.sqrt(gn) <= 1e-7) break;
      }
    }
    return Math.min(i, end - 1);
  };
  const explore = 250;
  // Like sklearn, the second stage starts after the last iteration of the first.
  it = stage(0, explore, 0.5, exaggeration, explore);
  if (it + 1 < maxIter) it = stage(it + 1, maxIter, 0.8, 1, 300);
  // The final KL is the one of the last gradient evaluation without exaggeration (sklearn's kl_divergence_).
  return { embedding: Y, klDivergence: kl, nIter: it + 1, method, learningRate: lr };
}
