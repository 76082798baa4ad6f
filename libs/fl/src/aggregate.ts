import { FlError } from './errors.js';
import { byName, sameShape, type Parameters, type Tensor } from './tensors.js';

/**
 * Sample-weighted averaging (McMahan et al. 2017, FedAvg): w = Σ_k n_k·w_k / Σ_k n_k.
 *
 * It works from a weighted sum and its total weight, because secure aggregation only ever
 * reveals Σ_k n_k·x_k and Σ_k n_k. A list of individual results is first reduced to that same sum.
 * The sum may be over weights (x_k = w_k) or over updates (x_k = w_k − w_global): updates are
 * small, which suits secure aggregation's fixed-point encoding, and give the same average.
 */
export type SumOf = 'weights' | 'deltas';

/** A tensor of a weighted sum; float64 so large n_k do not cost precision. */
export interface SumTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array;
}

export interface WeightedSum {
  readonly of: SumOf;
  /** Σ_k n_k·x_k for every shared tensor. */
  readonly tensors: readonly SumTensor[];
  /** Σ_k n_k. */
  readonly totalWeight: number;
  /** the sites whose contributions are in the sum. */
  readonly sites: readonly string[];
}

/** One site's plaintext fit result (Flower's FitRes). */
export interface FitResult {
  readonly site: string;
  readonly numExamples: number;
  readonly parameters: Parameters;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** A strategy aggregates from either form. */
export type FitInput =
  | { readonly kind: 'results'; readonly results: readonly FitResult[] }
  | {
      readonly kind: 'sum';
      readonly sum: WeightedSum;
      /** the sites' fit metadata (sample counts, train metrics), for metric averaging. */
      readonly reports?: readonly { numExamples: number; metrics?: Readonly<Record<string, number>> }[];
    };

export type SharedPredicate = (name: string) => boolean;
export const allShared: SharedPredicate = () => true;

function checkWeight(n: number, who: string): void {
  if (!Number.isFinite(n) || n <= 0) throw new FlError(`${who}: sample weight must be a positive finite number, got ${n}`);
}

/**
 * Why a site's update cannot be aggregated against `global`, or null if it can: every shared
 * tensor present with the global shape and finite values; no tensor the model does not have.
 */
export function checkUpdate(global: Parameters, update: Parameters, shared: SharedPredicate = allShared): string | null {
  const g = byName(global);
  const u = byName(update);
  if (u.size !== update.length) return 'duplicate tensor names';
  for (const t of update) if (!g.has(t.name)) return `tensor '${t.name}' is not part of the global model`;
  for (const gt of global) {
    if (!shared(gt.name)) continue;
    const t = u.get(gt.name);
    if (!t) return `tensor '${gt.name}' is missing`;
    if (!sameShape(t.shape, gt.shape)) return `tensor '${gt.name}' has shape [${t.shape.join(', ')}], expected [${gt.shape.join(', ')}]`;
    if (t.data.length !== gt.data.length) return `tensor '${gt.name}' has ${t.data.length} values, expected ${gt.data.length}`;
    for (let i = 0; i < t.data.length; i++) if (!Number.isFinite(t.data[i])) return `tensor '${gt.name}' has a non-finite value at ${i}`;
  }
  return null;
}

/**
 * What one site feeds into the (secure) sum: n·w, or n·(w − w_global), for each shared tensor,
 * in the global model's tensor order.
 */
export function weightedContribution(
  global: Parameters,
  local: Parameters,
  numExamples: number,
  of: SumOf,
  shared: SharedPredicate = allShared,
): SumTensor[] {
  checkWeight(numExamples, 'contribution');
  const problem = checkUpdate(global, local, shared);
  if (problem) throw new FlError(`contribution: ${problem}`);
  const l = byName(local);
  return global
    .filter((g) => shared(g.name))
    .map((g) => {
      const w = l.get(g.name)!.data;
      const data = new Float64Array(w.length);
      for (let i = 0; i < w.length; i++) data[i] = numExamples * (of === 'deltas' ? w[i] - g.data[i] : w[i]);
      return { name: g.name, shape: [...g.shape], data };
    });
}

/** Reduces individual results to Σ n_k·x_k and Σ n_k (what secure aggregation would reveal). */
export function sumResults(global: Parameters, results: readonly FitResult[], of: SumOf, shared: SharedPredicate = allShared): WeightedSum {
  if (results.length === 0) throw new FlError('cannot sum zero results');
  const sharedGlobal = global.filter((g) => shared(g.name));
  const acc = sharedGlobal.map((g) => new Float64Array(g.data.length));
  const sites = new Set<string>();
  let totalWeight = 0;
  for (const r of results) {
    if (sites.has(r.site)) throw new FlError(`site '${r.site}' appears twice in the results`);
    sites.add(r.site);
    checkWeight(r.numExamples, `site '${r.site}'`);
    const problem = checkUpdate(global, r.parameters, shared);
    if (problem) throw new FlError(`site '${r.site}': ${problem}`);
    const local = byName(r.parameters);
    const n = r.numExamples;
    sharedGlobal.forEach((g, j) => {
      const w = local.get(g.name)!.data;
      const a = acc[j];
      if (of === 'deltas') for (let i = 0; i < a.length; i++) a[i] += n * (w[i] - g.data[i]);
      else for (let i = 0; i < a.length; i++) a[i] += n * w[i];
    });
    totalWeight += n;
  }
  return {
    of,
    tensors: sharedGlobal.map((g, j) => ({ name: g.name, shape: [...g.shape], data: acc[j] })),
    totalWeight,
    sites: [...sites],
  };
}

/**
 * The weighted average of the shared tensors from a sum: Σ n_k·w_k / Σ n_k, or for a sum of
 * updates w_global + Σ n_k·(w_k − w_global) / Σ n_k. Returned in float64, by name.
 */
export function averageFromSum(global: Parameters, sum: WeightedSum, shared: SharedPredicate = allShared): Map<string, Float64Array> {
  checkWeight(sum.totalWeight, 'weighted sum');
  const s = byName(sum.tensors);
  const g = byName(global);
  for (const t of sum.tensors) {
    const gt = g.get(t.name);
    if (!gt) throw new FlError(`weighted sum: tensor '${t.name}' is not part of the global model`);
    if (!shared(t.name)) throw new FlError(`weighted sum: tensor '${t.name}' stays local and must not be aggregated`);
  }
  const out = new Map<string, Float64Array>();
  for (const gt of global) {
    if (!shared(gt.name)) continue;
    const t = s.get(gt.name);
    if (!t) throw new FlError(`weighted sum: tensor '${gt.name}' is missing`);
    if (!sameShape(t.shape, gt.shape) || t.data.length !== gt.data.length)
      throw new FlError(`weighted sum: tensor '${gt.name}' has shape [${t.shape.join(', ')}], expected [${gt.shape.join(', ')}]`);
    const avg = new Float64Array(t.data.length);
    for (let i = 0; i < avg.length; i++) {
      const v = t.data[i] / sum.totalWeight;
      if (!Number.isFinite(v)) throw new FlError(`weighted sum: tensor '${gt.name}' has a non-finite value at ${i}`);
      avg[i] = sum.of === 'deltas' ? gt.data[i] + v : v;
    }
    out.set(gt.name, avg);
  }
  return out;
}

/** FedAvg from either input form. */
export function fedAvg(global: Parameters, input: FitInput, shared: SharedPredicate = allShared): Map<string, Float64Array> {
  const sum = input.kind === 'sum' ? input.sum : sumResults(global, input.results, 'weights', shared);
  return averageFromSum(global, sum, shared);
}

/** Sample-weighted mean of every metric name reported (Flower's weighted_average). */
export function weightedMetrics(reports: readonly { numExamples: number; metrics?: Readonly<Record<string, number>> }[]): Record<string, number> {
  const sums = new Map<string, { s: number; w: number }>();
  for (const r of reports)
    for (const [k, v] of Object.entries(r.metrics ?? {})) {
      if (!Number.isFinite(v)) continue;
      const e = sums.get(k) ?? { s: 0, w: 0 };
      e.s += r.numExamples * v;
      e.w += r.numExamples;
      sums.set(k, e);
    }
  return Object.fromEntries([...sums].filter(([, e]) => e.w > 0).map(([k, e]) => [k, e.s / e.w]));
}

/** Replaces the shared tensors of `global` with `next` (rounded to float32); local ones stay. */
export function withShared(global: Parameters, next: ReadonlyMap<string, Float64Array | Float32Array>): Tensor[] {
  return global.map((t) => {
    const n = next.get(t.name);
    return n ? { name: t.name, shape: [...t.shape], data: Float32Array.from(n) } : { name: t.name, shape: [...t.shape], data: t.data.slice() };
  });
}
