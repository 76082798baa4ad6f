import { describe, expect, it } from 'vitest';
import { sha256 } from '../kdf.js';
import { generateX25519, sign } from '../keys.js';
import type { ShareKeysRequest } from '../messages.js';
import { advertisePayload, sessionId } from '../session.js';
import { Harness, refusal } from '../testing/harness.js';

function advertised(h: Harness) {
  h.advertise();
  return h.req1!;
}

describe('client, ShareKeys', () => {
  it('sends one encrypted share to every other site, plus a commitment to its self-mask seed', () => {
    const h = new Harness({ n: 5 });
    const req = advertised(h);
    const step = h.deliver('site-B', req);
    expect(step.state.stage).toBe('masked-input-collection');
    const r = step.reply!;
    if (r.type !== 'share-keys') throw new Error(r.type);
    expect(r.sessionId).toEqual(sessionId({ ...h.req0, params: h.params }, req.advertised));
    expect(r.shares.map((s) => s.to)).toEqual(['site-A', 'site-C', 'site-D', 'site-E']);
    expect(r.shares.every((s) => s.from === 'site-B' && s.nonce.length === 24 && s.box.length > 64)).toBe(true);
    expect(r.selfMaskCommitment).toHaveLength(32);
  });

  const cases: [string, (h: Harness, req: ShareKeysRequest) => unknown, string][] = [
    ['a peer key swapped by the server (signature fails)', (h, req) => ({ ...req, advertised: req.advertised.map((a, i) => (i === 2 ? { ...a, maskingKey: generateX25519().publicKey } : a)) }), 'bad-signature'],
    ['a peer key signed for another round', (h, req) => {
      const c = req.advertised[2];
      const other = sign(h.identities[2].secretKey, advertisePayload({ ...h.req0, round: h.round - 1 }, c.id, c.encryptionKey, c.maskingKey));
      return { ...req, advertised: req.advertised.map((a, i) => (i === 2 ? { ...a, signature: other } : a)) };
    }, 'bad-signature'],
    ['fewer than t advertised sites', (h, req) => ({ ...req, advertised: req.advertised.slice(0, 2) }), 'below-threshold'],
    ['a changed model hash', (h, req) => ({ ...req, modelHash: sha256(new TextEncoder().encode('swapped')) }), 'model-hash-changed'],
    ['another round', (h, req) => ({ ...req, round: req.round + 1 }), 'replay'],
    ['a list without this site’s own keys', (h, req) => ({ ...req, advertised: req.advertised.filter((a) => a.id !== 'site-A') }), 'inconsistent-survivors'],
    ['a site that is not on the roster', (h, req) => ({ ...req, advertised: [...req.advertised, { ...req.advertised[1], id: 'site-Q' }] }), 'unknown-site'],
    ['the same site twice', (h, req) => ({ ...req, advertised: [...req.advertised, req.advertised[1]] }), 'duplicate'],
    ['a repeated round-0 request', (h) => h.req0, 'unexpected-message'],
  ];
  for (const [what, make, code] of cases) {
    it(`refuses ${what} (${code})`, () => {
      const h = new Harness({ n: 5 });
      const req = advertised(h);
      const r = refusal(h.deliver('site-A', make(h, req)));
      expect(r.code).toBe(code);
      expect(r.keys.sort()).toEqual(['code', 'from', 'reason', 'type']);
    });
  }

  it('refuses a small-order key even when a (colluding) site signed it', () => {
    const h = new Harness({ n: 5 });
    const req = advertised(h);
    const low = new Uint8Array(32); // the point 0
    const sig = sign(h.identities[3].secretKey, advertisePayload(h.req0, 'site-D', req.advertised[3].encryptionKey, low));
    const bad = { ...req, advertised: req.advertised.map((a) => (a.id === 'site-D' ? { ...a, maskingKey: low, signature: sig } : a)) };
    expect(refusal(h.deliver('site-A', bad)).code).toBe('low-order-key');
  });

  it('refuses a site advertising another site’s key as its own', () => {
    const h = new Harness({ n: 5 });
    const req = advertised(h);
    const copied = req.advertised[1].maskingKey;
    const sig = sign(h.identities[3].secretKey, advertisePayload(h.req0, 'site-D', req.advertised[3].encryptionKey, copied));
    const bad = { ...req, advertised: req.advertised.map((a) => (a.id === 'site-D' ? { ...a, maskingKey: copied, signature: sig } : a)) };
    expect(refusal(h.deliver('site-A', bad)).code).toBe('duplicate');
  });
});

describe('server, ShareKeys', () => {
  it('routes to each site exactly the ciphertexts addressed to it', () => {
    const h = new Harness({ n: 5 }).advertise().shareKeys(['site-E']);
    expect([...h.req2!.keys()]).toEqual(['site-A', 'site-B', 'site-C', 'site-D']);
    for (const [id, m] of h.req2!) {
      expect(m.shares.map((s) => s.from).sort()).toEqual(['site-A', 'site-B', 'site-C', 'site-D'].filter((v) => v !== id));
      expect(m.shares.every((s) => s.to === id)).toBe(true);
    }
  });

  it('rejects another session, missing or mislabelled shares', () => {
    const h = new Harness({ n: 5 }).advertise();
    const r = h.deliver('site-A', h.req1).reply!;
    if (r.type !== 'share-keys') throw new Error();
    expect(() => h.server1!.accept({ ...r, sessionId: new Uint8Array(32) })).toThrow(/replay/);
    expect(() => h.server1!.accept({ ...r, shares: r.shares.slice(1) })).toThrow(/malformed-message/);
    expect(() => h.server1!.accept({ ...r, shares: r.shares.map((s, i) => (i ? s : { ...s, from: 'site-B' })) })).toThrow(/labelled/);
    expect(() => h.server1!.accept({ ...r, shares: r.shares.map((s, i) => (i ? s : { ...s, to: 'site-A' })) })).toThrow(/unknown-site/);
    h.server1!.accept(r);
    expect(() => h.server1!.close()).toThrow(/below-threshold/);
  });
});
