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
 * k-th smallest (0-based) of a[0..n), partially reordering a in place so that a[0..k) <= a[k] <= a(k..n):
 * Wirth's selection (Hoare partitioning) with a median-of-three pivot, O(n) on average.
 */
function selectInPlace(a: Float64Array, k: number): number {
  let l = 0;
  let r = a.length - 1;
  while (l < r) {
    const p = a[l];
    const m = a[(l + r) >> 1];
    const q = a[r];
    const x = p < m ? (m < q ? m : p < q ? q : p) : p < q ? p : m < q ? q : m;
    let i = l;
    let j = r;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return a[k];
}

/**
 * Quantiles q in [0, 1] by linear interpolation between order statistics: position (n - 1) q,
 * numpy's default ('linear', Hyndman-Fan type 7). Non-finite values are left out. Selection
 * instead of a full sort: a 512 x 512 slice needs two quantiles, not n log n comparisons.
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  let n = 0;
  const a = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) a[n++] = values[i];
  if (n === 0) throw new RangeError('quantile of an empty array');
  const finite = a.subarray(0, n);
  return qs.map((q) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const vlo = selectInPlace(finite, lo);
    if (h === lo) return vlo;
    // after selection everything right of lo is >= vlo: the next order statistic is their minimum.
    let vhi = Infinity;
    for (let i = lo + 1; i < n; i++) if (finite[i] < vhi) vhi = finite[i];
    return vlo + (h - lo) * (vhi - vlo);
  });
}
