/** Summary statistics over typed arrays, accumulated in float64 so large volumes stay exact enough. */
export interface Summary {
  /** finite values summarised. */
  count: number;
  /** NaN / ±Infinity values, left out of every statistic (float NIfTI files can hold them). */
  nonFinite: number;
  min: number;
  max: number;
  mean: number;
  /** population standard deviation (divides by n). */
  std: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const nonFinite = values.length - n;
  if (n === 0) return { count: 0, nonFinite, min: NaN, max: NaN, mean: NaN, std: NaN };
  const mean = sum / n;
  // Second pass on deviations: avoids the cancellation of E[x^2] - E[x]^2 for CT values ~ 1e3.
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    ss += (v - mean) * (v - mean);
  }
  return { count: n, nonFinite, min, max, mean, std: Math.sqrt(ss / n) };
}

/**
 * Quantiles q in [0, 1] by linear interpolation between order statistics: position (n - 1) q,
 * numpy's default ('linear', Hyndman-Fan type 7). One sort serves all requested quantiles.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('quantile of an empty array');
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  });
}
