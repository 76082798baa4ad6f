/**
 * Model-randomisation sanity check (Adebayo et al., "Sanity checks for saliency maps",
 * NeurIPS 2018): explain the same inputs with the trained model and with a model whose weights
 * were re-drawn at random; an explanation method that depends on the model gives maps with low
 * rank correlation between the two. Spearman correlation is reported on the signed maps and on
 * their absolute values, as in the paper.
 */
import { Rng } from './rng.js';

/** Ranks 1..n with ties given their average rank (scipy.stats.rankdata 'average'). */
export function rankAverage(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && v[idx[j + 1]] === v[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`pearson: lengths differ (${a.length} vs ${b.length})`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Spearman rank correlation (Pearson of average ranks). */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`spearman: lengths differ (${a.length} vs ${b.length})`);
  return pearson(rankAverage(a), rankAverage(b));
}

export interface RandomisationReport {
  /** Per input: Spearman of the signed maps and of |maps|. */
  spearman: number[];
  spearmanAbs: number[];
  meanSpearman: number;
  meanSpearmanAbs: number;
}

/** Compare explanations of the same inputs under the trained and the randomised model. */
export function randomisationCheck(trained: ArrayLike<number>[], randomised: ArrayLike<number>[]): RandomisationReport {
  if (trained.length !== randomised.length || trained.length === 0)
    throw new Error(`randomisationCheck: need the same non-zero number of maps (${trained.length} vs ${randomised.length})`);
  const s = trained.map((t, i) => spearman(t, randomised[i]));
  const sa = trained.map((t, i) => spearman(Array.from(t, Math.abs), Array.from(randomised[i], Math.abs)));
  const mean = (v: number[]): number => v.reduce((x, y) => x + y, 0) / v.length;
  return { spearman: s, spearmanAbs: sa, meanSpearman: mean(s), meanSpearmanAbs: mean(sa) };
}

/**
 * Fresh random weights with the given shapes for the randomised model: Glorot-uniform for
 * kernels (fan-in/out from the shape, conv kernels [kh, kw, in, out]), zeros for 1-D tensors
 * (biases), ones for 1-D tensors whose name says gamma / moving_variance.
 */
export function randomWeightsLike(specs: { shape: number[]; name?: string }[], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return specs.map(({ shape, name }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length <= 1) return new Float32Array(n).fill(name && /gamma|moving_variance/.test(name) ? 1 : 0);
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = shape[shape.length - 2] * receptive;
    const fanOut = shape[shape.length - 1] * receptive;
    const lim = Math.sqrt(6 / (fanIn + fanOut));
    return Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * lim);
  });
}
