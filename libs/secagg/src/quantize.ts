/**
 * Sample-weighted fixed point in Z_2^32. A site with update x and sample count w sends
 *   q_i = SR(clip(x_i) · w · 2^f)  for every parameter i,   and   q_P = w
 * where SR is stochastic rounding (floor(v + u), u ~ U[0,1), so E[SR(v)] = v and |SR(v) − v| < 1;
 * computing v + u in float64 with |v| < 2^31 can add at most 2^−21, hence the (1 + 2^−20) below).
 * The coordinator sees only Σ q, reads the weight sum from the last word and divides, so no
 * site's sample count is revealed. Error bound for k summed sites, per coordinate:
 *   |decoded weighted sum − Σ w·clip(x)| ≤ k·(1 + 2^−20)·2^−f,   |decoded mean − exact mean| ≤ that / Σ w.
 */
import { randomFillSync } from 'node:crypto';
import type { SecAggParams } from './config.js';
import { SecAggError } from './errors.js';

export type RandomWords = (out: Uint32Array) => void;
const cryptoWords: RandomWords = (out) => {
  randomFillSync(out);
};

export function quantise(update: ArrayLike<number>, weight: number, p: SecAggParams, random: RandomWords = cryptoWords): Uint32Array {
  if (update.length !== p.length) throw new SecAggError('invalid-input', `update has ${update.length} parameters, the run has ${p.length}`);
  if (!Number.isInteger(weight) || weight < 1 || weight > p.maxWeight) throw new SecAggError('invalid-input', `weight ${weight} must be an integer sample count in 1..${p.maxWeight}`);
  const out = new Uint32Array(p.length + 1);
  const o32 = new Int32Array(out.buffer); // |q| < 2^31 by the overflow check: two's complement = q mod 2^32
  const u = new Uint32Array(p.length);
  random(u);
  const scale = weight * 2 ** p.fracBits;
  const clip = p.clip;
  const TWO_M32 = 2 ** -32;
  for (let i = 0; i < p.length; i++) {
    let x = update[i];
    if (!(x === x && x !== Infinity && x !== -Infinity)) throw new SecAggError('invalid-input', `update[${i}] is ${x}`);
    x = x > clip ? clip : x < -clip ? -clip : x;
    o32[i] = Math.floor(x * scale + u[i] * TWO_M32);
  }
  out[p.length] = weight;
  return out;
}

export interface Decoded {
  /** Σ_k w_k · clip(x_k), per parameter */
  weightedSum: Float64Array;
  /** Σ_k w_k */
  totalWeight: number;
  /** weightedSum / totalWeight */
  mean: Float64Array;
}

export function dequantise(sum: Uint32Array, p: SecAggParams): Decoded {
  if (sum.length !== p.length + 1) throw new SecAggError('malformed-message', `sum has ${sum.length} words, expected ${p.length + 1}`);
  const inv = 2 ** -p.fracBits;
  const totalWeight = sum[p.length];
  const weightedSum = new Float64Array(p.length);
  const mean = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    weightedSum[i] = (sum[i] | 0) * inv;
    mean[i] = totalWeight > 0 ? weightedSum[i] / totalWeight : 0;
  }
  return { weightedSum, totalWeight, mean };
}

/** The stated bound on |decoded weighted sum − exact weighted sum| per coordinate for k sites. */
export function quantisationBound(k: number, p: SecAggParams): number {
  return k * (1 + 2 ** -20) * 2 ** -p.fracBits;
}
