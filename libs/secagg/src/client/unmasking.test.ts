import { describe, expect, it } from 'vitest';
import type { ConsistencyCheckRequest, Unmasking, UnmaskingRequest } from '../messages.js';
import { quantisationBound } from '../quantize.js';
import { Harness, refusal } from '../testing/harness.js';

describe('client, Unmasking', () => {
  it('reveals mask-key shares only for U2 \\ U3 and self-mask shares only for U3', () => {
    const h = new Harness({ n: 5 }).advertise().shareKeys().maskedInput(['site-D']).consistency();
    expect(h.req4!.dropped).toEqual(['site-D']);
    const step = h.deliver('site-A', h.req4);
    expect(step.state.stage).toBe('completed');
    const r = step.reply as Unmasking;
    expect(r.maskKeyShares.map((s) => s.of)).toEqual(['site-D']);
    expect(r.selfMaskShares.map((s) => s.of)).toEqual(['site-A', 'site-B', 'site-C', 'site-E']);
    // the round is over for this site: a replayed request gets nothing
    const again = refusal(h.deliver('site-A', h.req4));
    expect(again.code).toBe('finished');
    expect(again.keys).not.toContain('maskKeyShares');
  });

  const cases: [string, (h: Harness) => UnmaskingRequest, string][] = [
    ['a survivor listed as dropped (would reveal both shares of site-B)', (h) => ({ ...h.req4!, dropped: [...h.req4!.dropped, 'site-B'] }), 'both-shares'],
    ['a dropped list that differs from U2 \\ U3', (h) => ({ ...h.req4!, dropped: [] }), 'inconsistent-survivors'],
    ['fewer than t consistency signatures', (h) => ({ ...h.req4!, signatures: h.req4!.signatures.slice(0, 2) }), 'below-threshold'],
    ['a signature swapped between sites', (h) => ({ ...h.req4!, signatures: h.req4!.signatures.map((s, i, all) => (i === 1 ? { ...s, signature: all[2].signature } : s)) }), 'inconsistent-survivors'],
    ['a signature from a site outside its survivor list', (h) => ({ ...h.req4!, signatures: [...h.req4!.signatures, { id: 'site-D', signature: h.req4!.signatures[0].signature }] }), 'inconsistent-survivors'],
    ['a request of another session', (h) => ({ ...h.req4!, sessionId: new Uint8Array(32) }), 'replay'],
  ];
  for (const [what, make, code] of cases) {
    it(`refuses ${what} (${code}) and reveals no share`, () => {
      const h = new Harness({ n: 5 }).advertise().shareKeys().maskedInput(['site-D']).consistency();
      const r = refusal(h.deliver('site-A', make(h)));
      expect(r.code).toBe(code);
      expect(r.keys).not.toContain('maskKeyShares');
      expect(r.keys).not.toContain('selfMaskShares');
    });
  }

  it('refuses when the server showed different survivor lists to different sites (signed consistency check)', () => {
    const h = new Harness({ n: 5 }).advertise().shareKeys().maskedInput();
    // the server tells A, B, C that everyone survived, but tells D and E that C dropped: it hopes to get
    // self-mask shares of C from A, B and mask-key shares of C from D, E
    const full = h.req3!;
    const split: ConsistencyCheckRequest = { ...full, survivors: ['site-A', 'site-B', 'site-D', 'site-E'] };
    const sigs = (['site-A', 'site-B', 'site-C', 'site-D', 'site-E'] as const).map((id) => {
      const step = h.deliver(id, id === 'site-D' || id === 'site-E' ? split : full);
      return { id, signature: (step.reply as { signature: Uint8Array }).signature };
    });
    const toA: UnmaskingRequest = { type: 'unmasking-request', sessionId: full.sessionId, dropped: [], signatures: sigs };
    const a = refusal(h.deliver('site-A', toA));
    expect(a.code).toBe('inconsistent-survivors');
    expect(a.reason).toMatch(/site-D signed a different survivor list/);
    const toD: UnmaskingRequest = { type: 'unmasking-request', sessionId: full.sessionId, dropped: ['site-C'], signatures: sigs.filter((s) => s.id !== 'site-C') };
    expect(refusal(h.deliver('site-D', toD)).code).toBe('inconsistent-survivors');
  });
});

describe('server, Unmasking', () => {
  it('removes every mask: the sum is the weighted sum of exactly the survivors', () => {
    // n = 8, t = 5: H never advertises, B drops before masked input, C before unmasking
    const h = new Harness({ n: 8, length: 40, threshold: 5 }).advertise(['site-H']).shareKeys().maskedInput(['site-B']).consistency().unmask(['site-C']);
    const r = h.result!;
    expect(r.included).toEqual(['site-A', 'site-C', 'site-D', 'site-E', 'site-F', 'site-G']);
    expect(r.totalWeight).toBe(1 + 3 + 4 + 5 + 6 + 7);
    const exact = h.exactWeightedSum(r.included);
    for (let i = 0; i < 40; i++) expect(Math.abs(r.weightedSum[i] - exact[i])).toBeLessThanOrEqual(quantisationBound(6, h.params));
    for (let i = 0; i < 40; i++) expect(r.mean[i]).toBeCloseTo(exact[i] / 26, 4);
    expect(r.dropouts.map((d) => `${d.site}@${d.stage}`)).toEqual(['site-H@advertise_keys', 'site-B@masked_input', 'site-C@unmasking']);
  });

  it('survives one site lying about shares when more than t responded, and names it', () => {
    const h = new Harness({ n: 6, threshold: 4 }).advertise().shareKeys().maskedInput(['site-F']).consistency();
    for (const id of h.req4!.signatures.map((s) => s.id)) {
      const r = h.deliver(id, h.req4).reply as Unmasking;
      if (id === 'site-B') {
        r.maskKeyShares[0].share[3] ^= 0x40;
        r.selfMaskShares[2].share[0] ^= 1;
      }
      h.server4!.accept(r);
    }
    const r = h.server4!.close().result;
    expect(r.misbehaving).toEqual(['site-B']);
    const exact = h.exactWeightedSum(r.included);
    for (let i = 0; i < exact.length; i++) expect(Math.abs(r.weightedSum[i] - exact[i])).toBeLessThanOrEqual(quantisationBound(5, h.params));
  });

  it('detects a corrupted share instead of returning a wrong sum (exactly t responses)', () => {
    const h = new Harness({ n: 5 }).advertise().shareKeys().maskedInput(['site-E']).consistency();
    for (const id of h.req4!.signatures.map((s) => s.id)) {
      const r = h.deliver(id, h.req4).reply as Unmasking;
      if (id === 'site-B') r.maskKeyShares[0].share[3] ^= 0x40;
      h.server4!.accept(r);
    }
    expect(() => h.server4!.close()).toThrow(/reconstruction-failed/);
  });

  it('detects a wrong self-mask seed even from exactly t consistent shares (commitment)', () => {
    const h = new Harness({ n: 4 }).advertise().shareKeys().maskedInput().consistency();
    // t = 3: with three responses there is no redundancy; one site lies consistently about site-A's seed
    for (const id of ['site-A', 'site-B', 'site-C']) {
      const r = h.deliver(id, h.req4).reply as Unmasking;
      if (id === 'site-C') r.selfMaskShares[0].share[0] ^= 1;
      h.server4!.accept(r);
    }
    expect(() => h.server4!.close()).toThrow(/reconstruction-failed: self-mask seed of site-A could not be reconstructed from 3 shares/);
  });

  it('rejects responses with the wrong share sets, and fails below t responses', () => {
    const h = new Harness({ n: 5 }).advertise().shareKeys().maskedInput(['site-E']).consistency();
    const r = h.deliver('site-A', h.req4).reply as Unmasking;
    expect(() => h.server4!.accept({ ...r, maskKeyShares: [] })).toThrow(/mask-key shares/);
    expect(() => h.server4!.accept({ ...r, selfMaskShares: [...r.selfMaskShares, { of: 'site-E', share: new Uint8Array(32) }] })).toThrow(/self-mask shares/);
    h.server4!.accept(r);
    h.server4!.accept(h.deliver('site-B', h.req4).reply);
    expect(() => h.server4!.close()).toThrow(/below-threshold/);
  });
});
