/**
 * Parameters agreed for a run (by the coordinator's run config and each site's policy), validated
 * once: the fixed-point scale is chosen so that no sum of at most `maxSites` clipped, weighted
 * updates can wrap around in Z_2^32, and the threshold is checked against the roster size.
 */
import { z } from 'zod';
import { SecAggError } from './errors.js';

export const SecAggParamsSchema = z.object({
  /** number of model parameters (the masked vector has one more word: the weight) */
  length: z.number().int().min(1).max(2 ** 28),
  /** every coordinate of an update is clipped to [−clip, clip] */
  clip: z.number().positive().finite(),
  /** largest sample count a site may weight its update by */
  maxWeight: z.number().int().min(1),
  /** largest cohort the parameters are valid for (also bounds Shamir: ≤ 255 points) */
  maxSites: z.number().int().min(2).max(255),
  /** fractional bits of the fixed-point encoding; the largest safe value when left out */
  fracBits: z.number().int().min(0).max(52).optional(),
  prg: z.enum(['chacha20', 'aes-256-ctr']).default('chacha20'),
});
export type SecAggParamsInput = z.input<typeof SecAggParamsSchema>;
export type SecAggParams = Required<z.output<typeof SecAggParamsSchema>>;

const INT31 = 2 ** 31 - 1;

/**
 * No overflow: each site's coordinate is |q| ≤ maxWeight·clip·2^f + 1 (stochastic rounding moves
 * at most one quantum), so the signed sum of ≤ maxSites of them stays within ±(2^31 − 1). The
 * weight coordinate sums to at most maxSites·maxWeight, which must fit in 32 unsigned bits.
 */
export function overflowFree(p: Omit<SecAggParams, 'prg' | 'length'>): boolean {
  return p.maxSites * (p.maxWeight * p.clip * 2 ** p.fracBits + 1) <= INT31 && p.maxSites * p.maxWeight <= 2 ** 32 - 1;
}

export function resolveParams(input: SecAggParamsInput): SecAggParams {
  const parsed = SecAggParamsSchema.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new SecAggError('invalid-parameters', `${i.path.join('.') || 'params'}: ${i.message}`);
  }
  const p = parsed.data;
  if (p.fracBits !== undefined) {
    if (!overflowFree({ ...p, fracBits: p.fracBits }))
      throw new SecAggError('invalid-parameters', `fracBits: ${p.fracBits} lets ${p.maxSites} sites × weight ${p.maxWeight} × clip ${p.clip} overflow 32 bits`);
    return { ...p, fracBits: p.fracBits };
  }
  let f = -1;
  while (f < 52 && overflowFree({ ...p, fracBits: f + 1 })) f++;
  if (f < 0) throw new SecAggError('invalid-parameters', `maxSites × maxWeight × clip = ${p.maxSites * p.maxWeight * p.clip} does not fit 31 bits even without fractional bits`);
  return { ...p, fracBits: f };
}

/** Default threshold ⌊2n/3⌋ + 1: a strict majority (needed below) that still tolerates ~n/3 dropouts. */
export function defaultThreshold(n: number): number {
  return Math.floor((2 * n) / 3) + 1;
}

/**
 * t > n/2: two disjoint groups of t sites cannot exist, so a server cannot collect one majority's
 * shares of a peer's mask key and another's shares of its self mask; t ≤ n so a round can finish.
 */
export function validateThreshold(t: number, n: number): void {
  if (!Number.isInteger(n) || n < 2) throw new SecAggError('invalid-parameters', `roster of ${n} sites: at least 2 needed`);
  if (!Number.isInteger(t) || 2 * t <= n || t > n) throw new SecAggError('invalid-parameters', `threshold ${t} for ${n} sites: need n/2 < t ≤ n`);
}
