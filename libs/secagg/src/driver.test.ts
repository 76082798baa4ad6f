import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultThreshold, resolveParams } from './config.js';
import { STAGES, runInMemoryRound, type Stage } from './driver.js';
import { quantisationBound } from './quantize.js';
import { identities } from './testing/harness.js';

/** A round: n sites, vector length, weights, updates, a threshold and, per site, the stage it drops before (or none). */
const roundArb = fc
  .integer({ min: 3, max: 8 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      length: fc.integer({ min: 1, max: 200 }),
      t: fc.integer({ min: Math.floor(n / 2) + 1, max: n }),
      weights: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n }),
      drop: fc.array(fc.option(fc.constantFrom(...STAGES), { nil: undefined, freq: 2 }), { minLength: n, maxLength: n }),
      clip: fc.constantFrom(0.5, 1, 4),
      prg: fc.constantFrom('chacha20' as const, 'aes-256-ctr' as const),
      seed: fc.integer({ min: 0, max: 1e6 }),
    }),
  )
  // every stage needs t sites: those still present at the end must number at least t
  .filter((r) => r.drop.filter((d) => d === undefined).length >= r.t);

describe('in-memory round', () => {
  it('unmasked sum = plaintext weighted sum of the included sites within k·2^−f, for any dropouts (property)', () => {
    fc.assert(
      fc.property(roundArb, (r) => {
        const sites = identities(r.n);
        const updates = sites.map((_, i) => Float64Array.from({ length: r.length }, (_, j) => Math.sin(r.seed + 13 * i + j) * 1.5 * r.clip));
        const dropouts: Partial<Record<Stage, string[]>> = {};
        r.drop.forEach((d, i) => d && (dropouts[d] ??= []).push(sites[i].id));
        const params = { length: r.length, clip: r.clip, maxWeight: 1000, maxSites: 16, prg: r.prg };
        const rep = runInMemoryRound({ params, threshold: r.t, dropouts, sites: sites.map((identity, i) => ({ identity, update: updates[i], weight: r.weights[i] })) });
        // included = everyone who sent a masked input: not dropped before advertise, share-keys or masked-input
        const early = new Set<Stage>(['advertise-keys', 'share-keys', 'masked-input']);
        const included = sites.filter((_, i) => !(r.drop[i] && early.has(r.drop[i]!))).map((s) => s.id);
        expect(rep.result.included).toEqual(included);
        const p = resolveParams(params);
        let W = 0;
        const exact = new Float64Array(r.length);
        sites.forEach((s, i) => {
          if (!included.includes(s.id)) return;
          W += r.weights[i];
          for (let j = 0; j < r.length; j++) exact[j] += r.weights[i] * Math.max(-r.clip, Math.min(r.clip, updates[i][j]));
        });
        expect(rep.result.totalWeight).toBe(W);
        const bound = quantisationBound(included.length, p) * (1 + 1e-9);
        for (let j = 0; j < r.length; j++) expect(Math.abs(rep.result.weightedSum[j] - exact[j])).toBeLessThanOrEqual(bound);
        // sites dropped before advertising sent nothing; everyone else sent something
        sites.forEach((s, i) => expect(rep.bytesSent.get(s.id)! > 0).toBe(r.drop[i] !== 'advertise-keys'));
      }),
      { numRuns: 25, seed: 2017 },
    );
  });

  it('fails the round (below-threshold) rather than unmask when too many drop', () => {
    const sites = identities(5).map((identity) => ({ identity, update: [0.1, 0.2], weight: 1 }));
    expect(defaultThreshold(5)).toBe(4);
    expect(() => runInMemoryRound({ params: { length: 2, clip: 1, maxWeight: 1, maxSites: 5 }, sites, dropouts: { 'consistency-check': ['site-A', 'site-B'] } })).toThrow(/below-threshold: stage consistency-check: 3 sites answered, threshold 4/);
  });

  it('reports per-site payload: the masked update is 4·(P+1) bytes plus small key/share messages', () => {
    const P = 1000;
    const sites = identities(4).map((identity) => ({ identity, update: new Float32Array(P), weight: 2 }));
    const rep = runInMemoryRound({ params: { length: P, clip: 1, maxWeight: 10, maxSites: 4 }, sites });
    for (const b of rep.bytesSent.values()) {
      expect(b).toBeGreaterThan(4 * (P + 1));
      expect(b).toBeLessThan(4 * (P + 1) + 2000);
    }
    expect(rep.result.totalWeight).toBe(8);
    expect(Array.from(rep.result.weightedSum).every((v) => v === 0)).toBe(true);
  });
});
