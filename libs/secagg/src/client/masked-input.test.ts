import { describe, expect, it } from 'vitest';
import type { MaskedInputRequest } from '../messages.js';
import { quantise } from '../quantize.js';
import { Harness, refusal } from '../testing/harness.js';

function upTo(n = 5) {
  return new Harness({ n, length: 64 }).advertise().shareKeys();
}

describe('client, MaskedInputCollection', () => {
  it('sends y = x + masks: the right length, and nothing like its quantised update', () => {
    const h = upTo();
    const step = h.deliver('site-C', h.req2!.get('site-C'));
    expect(step.state.stage).toBe('consistency-check');
    const r = step.reply!;
    if (r.type !== 'masked-input') throw new Error(r.type);
    expect(r.masked).toHaveLength(65);
    const x = quantise(h.updates[2], h.weights[2], h.params, (u) => u.fill(0));
    const close = Array.from(r.masked).filter((w, i) => Math.abs(((w - x[i]) | 0)) < 2).length;
    expect(close).toBe(0);
  });

  const cases: [string, (h: Harness, req: MaskedInputRequest) => unknown, string][] = [
    ['a request of another session', (h, req) => ({ ...req, sessionId: req.sessionId.map((b) => b ^ 1) }), 'replay'],
    ['fewer than t−1 peer shares (the server withholds some)', (h, req) => ({ ...req, shares: req.shares.slice(0, 1) }), 'below-threshold'],
    ['a tampered ciphertext', (h, req) => ({ ...req, shares: req.shares.map((s, i) => (i ? s : { ...s, box: s.box.map((b, j) => (j === 20 ? b ^ 1 : b)) })) }), 'bad-ciphertext'],
    ['a ciphertext relabelled as from another site', (h, req) => ({ ...req, shares: [{ ...req.shares[0], from: req.shares[1].from }, { ...req.shares[1], from: req.shares[0].from }, ...req.shares.slice(2)] }), 'bad-ciphertext'],
    ['a share addressed to another site', (h, req) => ({ ...req, shares: req.shares.map((s, i) => (i ? s : { ...s, to: 'site-B' })) }), 'malformed-message'],
    ['two shares from one site', (h, req) => ({ ...req, shares: [...req.shares, req.shares[0]] }), 'duplicate'],
    ['a share from a site that never advertised', (h, req) => ({ ...req, shares: [...req.shares, { ...req.shares[0], from: 'site-Q' }] }), 'unknown-site'],
  ];
  for (const [what, make, code] of cases) {
    it(`refuses ${what} (${code}) without sending its input`, () => {
      const h = upTo();
      const r = refusal(h.deliver('site-A', make(h, h.req2!.get('site-A')!)));
      expect(r.code).toBe(code);
      expect(r.keys).not.toContain('masked');
    });
  }

  it('a share delivered to the wrong site does not open there', () => {
    const h = upTo();
    const forB = h.req2!.get('site-B')!;
    const stolen = forB.shares.find((s) => s.from !== 'site-A')!;
    const forA = h.req2!.get('site-A')!;
    const req = { ...forA, shares: forA.shares.map((s) => (s.from === stolen.from ? { ...stolen, to: 'site-A' } : s)) };
    expect(refusal(h.deliver('site-A', req)).code).toBe('bad-ciphertext');
  });

  it('answers a replayed request only with an abort', () => {
    const h = upTo();
    h.deliver('site-A', h.req2!.get('site-A'));
    expect(refusal(h.deliver('site-A', h.req2!.get('site-A'))).code).toBe('unexpected-message');
  });
});

describe('server, MaskedInputCollection', () => {
  it('rejects wrong lengths, other sessions and sites outside U2', () => {
    const h = new Harness({ n: 5, length: 8 }).advertise().shareKeys(['site-E']);
    const r = h.deliver('site-A', h.req2!.get('site-A')).reply!;
    if (r.type !== 'masked-input') throw new Error();
    expect(() => h.server2!.accept({ ...r, masked: r.masked.subarray(1) })).toThrow(/8 words, expected 9/);
    expect(() => h.server2!.accept({ ...r, sessionId: new Uint8Array(32) })).toThrow(/replay/);
    expect(() => h.server2!.accept({ ...r, from: 'site-E' })).toThrow(/unknown-site/);
    expect(() => h.server2!.accept({ ...r, masked: Array.from(r.masked) })).toThrow(/Uint32Array/);
    h.server2!.accept(r);
  });
});
