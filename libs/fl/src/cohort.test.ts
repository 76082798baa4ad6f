import { describe, expect, it } from 'vitest';
import { cohortSize, selectCohort, type CohortRequest } from './cohort.js';

const sites = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'];
const req: CohortRequest = { available: sites, fraction: 0.3, minSites: 2, seed: 42, round: 1, purpose: 'fit' };

function pick(r: Partial<CohortRequest>): string[] {
  const sel = selectCohort({ ...req, ...r });
  if (!sel.ok) throw new Error(sel.reason);
  return sel.sites;
}

describe('selectCohort', () => {
  it('samples max(⌊n·fraction⌋, minSites) sites (Flower rule)', () => {
    expect(cohortSize(10, 0.3, 2)).toBe(3);
    expect(cohortSize(10, 0.1, 2)).toBe(2);
    expect(cohortSize(3, 1, 5)).toBe(3);
    expect(pick({})).toHaveLength(3);
    expect(pick({ fraction: 1 })).toEqual(sites);
  });

  it('is deterministic given the seed and round, whatever the order sites are listed in', () => {
    const a = pick({});
    expect(pick({ available: [...sites].reverse() })).toEqual(a);
    expect(pick({ available: [...sites, 'A'] })).toEqual(a);
    // other rounds, seeds and purposes draw differently (over several draws, at least one differs)
    const draws = (r: Partial<CohortRequest>) => [1, 2, 3, 4, 5].map((round) => pick({ ...r, round }).join());
    expect(new Set(draws({})).size).toBeGreaterThan(1);
    expect(draws({ seed: 43 })).not.toEqual(draws({}));
    expect(draws({ purpose: 'evaluate' })).not.toEqual(draws({}));
  });

  it('refuses to select when fewer than minSites are available', () => {
    const sel = selectCohort({ ...req, available: ['A'], minSites: 2 });
    expect(sel).toEqual({ ok: false, available: 1, required: 2, reason: '1 site(s) available, 2 required' });
  });

  it('is uniform: each of 5 sites is picked in about 2/5 of 5000 draws of 2', () => {
    const counts = new Map<string, number>();
    for (let round = 1; round <= 5000; round++)
      for (const s of pick({ available: ['A', 'B', 'C', 'D', 'E'], fraction: 0.4, round })) counts.set(s, (counts.get(s) ?? 0) + 1);
    // expected 2000 each; binomial sd ≈ 35, so ±175 is 5 sd
    for (const s of ['A', 'B', 'C', 'D', 'E']) expect(Math.abs(counts.get(s)! - 2000), s).toBeLessThan(175);
  });
});
