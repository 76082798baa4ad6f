import { createHash } from 'node:crypto';
import { FlError } from './errors.js';

/**
 * Which sites take part in a round. Flower's rule: sample max(⌊n·fraction⌋, minSites) of the n
 * available sites, and only when at least minSites are available. Sampling is uniform without
 * replacement and deterministic given (seed, purpose, round) and the set of available sites,
 * whatever order they are listed in, so a restarted coordinator picks the same cohort.
 */
export interface CohortRequest {
  readonly available: readonly string[];
  readonly fraction: number;
  readonly minSites: number;
  readonly seed: number | string;
  readonly round: number;
  /** separates the training and evaluation draws of one round. */
  readonly purpose: 'fit' | 'evaluate';
}

export type CohortSelection =
  | { readonly ok: true; readonly sites: string[] }
  | { readonly ok: false; readonly available: number; readonly required: number; readonly reason: string };

/** SHA-256 in counter mode: a reproducible stream of uniform 32-bit integers. */
class HashStream {
  private block = new Uint8Array(0);
  private pos = 0;
  private counter = 0;
  constructor(private readonly key: string) {}

  private u32(): number {
    if (this.pos + 4 > this.block.length) {
      this.block = createHash('sha256').update(`${this.key}#${this.counter++}`).digest();
      this.pos = 0;
    }
    const b = this.block;
    const v = (b[this.pos] | (b[this.pos + 1] << 8) | (b[this.pos + 2] << 16) | (b[this.pos + 3] << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  /** Uniform integer in [0, n), by rejection so there is no modulo bias. */
  below(n: number): number {
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const v = this.u32();
      if (v < limit) return v % n;
    }
  }
}

export function cohortSize(available: number, fraction: number, minSites: number): number {
  return Math.min(available, Math.max(Math.floor(available * fraction), minSites));
}

export function selectCohort(req: CohortRequest): CohortSelection {
  if (!(req.fraction >= 0 && req.fraction <= 1)) throw new FlError(`cohort fraction must be in [0, 1], got ${req.fraction}`);
  if (!Number.isInteger(req.minSites) || req.minSites < 0) throw new FlError(`cohort minSites must be an integer >= 0, got ${req.minSites}`);
  const pool = [...new Set(req.available)].sort();
  if (pool.length < req.minSites)
    return { ok: false, available: pool.length, required: req.minSites, reason: `${pool.length} site(s) available, ${req.minSites} required` };
  const k = cohortSize(pool.length, req.fraction, req.minSites);
  const rng = new HashStream(`unbox-cohort-v1|${String(req.seed)}|${req.purpose}|${req.round}`);
  // Partial Fisher–Yates: the first k positions are a uniform k-subset.
  for (let i = 0; i < k; i++) {
    const j = i + rng.below(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return { ok: true, sites: pool.slice(0, k).sort() };
}
