/**
 * Measuring domain shift between centres from their intensity distributions: fixed-bin histograms
 * per centre, compared by the 1-Wasserstein (earth mover's) distance in intensity units and the
 * Jensen-Shannon divergence in bits. A within-centre baseline (two disjoint halves of one centre's
 * patients) says how large a distance is by chance; shift is real when between >> within.
 */

export class Histogram {
  readonly counts: Float64Array;
  total = 0;
  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly bins: number,
  ) {
    if (!(hi > lo) || !Number.isInteger(bins) || bins < 1) throw new Error(`bad histogram range [${lo}, ${hi}) with ${bins} bins`);
    this.counts = new Float64Array(bins);
  }

  get binWidth(): number {
    return (this.hi - this.lo) / this.bins;
  }

  /** Values outside [lo, hi) are clamped into the edge bins. */
  add(values: ArrayLike<number>): this {
    const s = this.bins / (this.hi - this.lo);
    const last = this.bins - 1;
    for (let i = 0; i < values.length; i++) {
      let b = Math.floor((values[i] - this.lo) * s);
      if (b < 0) b = 0;
      else if (b > last) b = last;
      this.counts[b]++;
    }
    this.total += values.length;
    return this;
  }

  merge(other: Histogram): this {
    assertSameBins(this, other);
    for (let i = 0; i < this.bins; i++) this.counts[i] += other.counts[i];
    this.total += other.total;
    return this;
  }

  probabilities(): Float64Array {
    const p = new Float64Array(this.bins);
    if (this.total > 0) for (let i = 0; i < this.bins; i++) p[i] = this.counts[i] / this.total;
    return p;
  }

  /** Mean and standard deviation from bin centres. */
  moments(): { mean: number; sd: number } {
    const p = this.probabilities();
    const w = this.binWidth;
    let m = 0;
    for (let i = 0; i < this.bins; i++) m += p[i] * (this.lo + (i + 0.5) * w);
    let v = 0;
    for (let i = 0; i < this.bins; i++) v += p[i] * (this.lo + (i + 0.5) * w - m) ** 2;
    return { mean: m, sd: Math.sqrt(v) };
  }
}

function assertSameBins(a: Histogram, b: Histogram): void {
  if (a.lo !== b.lo || a.hi !== b.hi || a.bins !== b.bins) throw new Error('histograms have different bins');
}

/** W1 = sum over bins of |CDF_a - CDF_b| * bin width (intensity units). */
export function wasserstein1(a: Histogram, b: Histogram): number {
  assertSameBins(a, b);
  const pa = a.probabilities();
  const pb = b.probabilities();
  let ca = 0;
  let cb = 0;
  let d = 0;
  for (let i = 0; i < a.bins; i++) {
    ca += pa[i];
    cb += pb[i];
    d += Math.abs(ca - cb);
  }
  return d * a.binWidth;
}

/** JS(P, Q) = (KL(P || M) + KL(Q || M)) / 2 with M = (P + Q) / 2, log base 2 (in [0, 1]). */
export function jensenShannon(a: Histogram, b: Histogram): number {
  assertSameBins(a, b);
  const p = a.probabilities();
  const q = b.probabilities();
  let js = 0;
  for (let i = 0; i < a.bins; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) js += 0.5 * p[i] * Math.log2(p[i] / m);
    if (q[i] > 0) js += 0.5 * q[i] * Math.log2(q[i] / m);
  }
  return Math.max(0, js);
}

export interface CentreHistograms {
  centre: string;
  /** all of the centre's patients */
  all: Histogram;
  /** two disjoint halves of its patients (alternating), for the within-centre baseline */
  halves: [Histogram, Histogram];
}

export interface DomainShiftReport {
  centres: string[];
  /** pairwise W1 between centres (intensity units), row/column order of `centres` */
  w1: number[][];
  /** pairwise Jensen-Shannon divergence (bits) */
  js: number[][];
  /** W1 between the two halves of each centre */
  within_w1: number[];
  within_js: number[];
  mean: number[];
  sd: number[];
  between_w1_mean: number;
  within_w1_mean: number;
  /** between / within: >> 1 means the centres' distributions differ beyond patient variation */
  w1_ratio: number;
}

export function domainShift(groups: readonly CentreHistograms[]): DomainShiftReport {
  const n = groups.length;
  const w1 = groups.map((a) => groups.map((b) => wasserstein1(a.all, b.all)));
  const js = groups.map((a) => groups.map((b) => jensenShannon(a.all, b.all)));
  const within_w1 = groups.map((g) => wasserstein1(g.halves[0], g.halves[1]));
  const within_js = groups.map((g) => jensenShannon(g.halves[0], g.halves[1]));
  let between = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    between += w1[i][j];
    pairs++;
  }
  const between_w1_mean = pairs ? between / pairs : 0;
  const within_w1_mean = n ? within_w1.reduce((s, x) => s + x, 0) / n : 0;
  const mom = groups.map((g) => g.all.moments());
  return {
    centres: groups.map((g) => g.centre),
    w1,
    js,
    within_w1,
    within_js,
    mean: mom.map((m) => m.mean),
    sd: mom.map((m) => m.sd),
    between_w1_mean,
    within_w1_mean,
    w1_ratio: within_w1_mean > 0 ? between_w1_mean / within_w1_mean : Infinity,
  };
}
