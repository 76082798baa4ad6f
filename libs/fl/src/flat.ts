import { allShared, checkUpdate, type SharedPredicate, type SumOf, type WeightedSum } from './aggregate.js';
import { FlError } from './errors.js';
import { byName, canonicalOrder, type Parameters } from './tensors.js';

/**
 * Secure aggregation works on one flat vector per site. These helpers fix its layout: the shared
 * tensors of the global model in canonical (name) order, row-major, so a site and the coordinator
 * agree on it whatever order their models list tensors in. The site sends the unweighted update
 * (secure aggregation multiplies by the sample count itself); the coordinator turns the decoded
 * Σ n_k·x_k back into a WeightedSum for `aggregateFit`.
 */

function layout(global: Parameters, shared: SharedPredicate) {
  return canonicalOrder(global).filter((g) => shared(g.name));
}

/** Length of the flat vector (secure aggregation's `length` parameter). */
export function sharedLength(global: Parameters, shared: SharedPredicate = allShared): number {
  return layout(global, shared).reduce((s, g) => s + g.data.length, 0);
}

/** A site's update as one vector: w − w_global (deltas, the default: small, suits clipping) or w. */
export function updateVector(global: Parameters, local: Parameters, of: SumOf = 'deltas', shared: SharedPredicate = allShared): Float64Array {
  const problem = checkUpdate(global, local, shared);
  if (problem) throw new FlError(`update vector: ${problem}`);
  const l = byName(local);
  const out = new Float64Array(sharedLength(global, shared));
  let offset = 0;
  for (const g of layout(global, shared)) {
    const w = l.get(g.name)!.data;
    for (let i = 0; i < w.length; i++) out[offset + i] = of === 'deltas' ? w[i] - g.data[i] : w[i];
    offset += w.length;
  }
  return out;
}

/** The decoded secure sum Σ n_k·x_k (flat) and Σ n_k as a WeightedSum over the shared tensors. */
export function sumFromVector(
  global: Parameters,
  vector: ArrayLike<number>,
  totalWeight: number,
  sites: readonly string[],
  of: SumOf = 'deltas',
  shared: SharedPredicate = allShared,
): WeightedSum {
  const expected = sharedLength(global, shared);
  if (vector.length !== expected) throw new FlError(`sum vector has ${vector.length} values, the shared model has ${expected}`);
  let offset = 0;
  const tensors = layout(global, shared).map((g) => {
    const data = Float64Array.from({ length: g.data.length }, (_, i) => vector[offset + i]);
    offset += g.data.length;
    return { name: g.name, shape: [...g.shape], data };
  });
  return { of, tensors, totalWeight, sites: [...sites] };
}
