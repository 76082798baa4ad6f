import { describe, expect, it } from 'vitest';
import { SecAggError } from '../errors.js';
import { sha256 } from '../kdf.js';
import { generateIdentity, sign, verify } from '../keys.js';
import { advertisePayload } from '../session.js';
import { ServerAdvertiseKeys } from '../server/advertise-keys.js';
import { Harness, refusal } from '../testing/harness.js';
import { createClient } from './advertise-keys.js';

const SAFE_KEYS = ['type', 'from', 'code', 'reason'];

describe('client, AdvertiseKeys', () => {
  it('answers the round request with fresh X25519 keys signed for this run, round and model', () => {
    const h = new Harness({ n: 4 });
    const step = h.deliver('site-A', h.req0);
    expect(step.state.stage).toBe('share-keys');
    const r = step.reply!;
    if (r.type !== 'advertise-keys') throw new Error(r.type);
    expect(r.encryptionKey).toHaveLength(32);
    expect(r.maskingKey).not.toEqual(r.encryptionKey);
    expect(verify(h.identities[0].publicKey, advertisePayload(h.req0, 'site-A', r.encryptionKey, r.maskingKey), r.signature)).toBe(true);
    // fresh keys every round: a second client for the same site advertises different ones
    const again = createClient(h.setupFor(h.identities[0]), h.updates[0], 1).handle(h.req0).reply;
    expect(again?.type === 'advertise-keys' && again.maskingKey).not.toEqual(r.maskingKey);
  });

  const cases: [string, (h: Harness) => unknown, string][] = [
    ['another run', (h) => ({ ...h.req0, run: 'run-other' }), 'replay'],
    ['another round', (h) => ({ ...h.req0, round: h.round + 1 }), 'replay'],
    ['a changed model hash', (h) => ({ ...h.req0, modelHash: sha256(new TextEncoder().encode('other model')) }), 'model-hash-changed'],
    ['a roster with an unenrolled key', (h) => ({ ...h.req0, roster: h.req0.roster.map((r, i) => (i === 2 ? { ...r, signingKey: generateIdentity('x').publicKey } : r)) }), 'unknown-site'],
    ['a roster without this site', (h) => ({ ...h.req0, roster: h.req0.roster.slice(1) }), 'unknown-site'],
    ['a roster listing a site twice', (h) => ({ ...h.req0, roster: [...h.req0.roster, h.req0.roster[1]] }), 'duplicate'],
    ['a threshold of n/2', (h) => ({ ...h.req0, threshold: 2 }), 'invalid-parameters'],
    ['a message of a later stage', (h) => ({ type: 'unmasking-request', sessionId: new Uint8Array(32), dropped: [], signatures: [] }), 'unexpected-message'],
    ['a malformed request', (h) => ({ ...h.req0, modelHash: 'abc' }), 'malformed-message'],
  ];
  for (const [what, make, code] of cases) {
    it(`refuses ${what} (${code}) and reveals nothing`, () => {
      const h = new Harness({ n: 4 });
      const r = refusal(h.deliver('site-A', make(h)));
      expect(r.code).toBe(code);
      expect(r.reason.length).toBeGreaterThan(10);
      expect(r.keys.sort()).toEqual([...SAFE_KEYS].sort());
      // once aborted it stays aborted
      expect(refusal(h.deliver('site-A', h.req0)).code).toBe('finished');
    });
  }

  it('refuses a round it already aggregated in (replayed round)', () => {
    const h = new Harness({ n: 4 });
    const c = createClient(h.setupFor(h.identities[0], { lastRound: h.round }), h.updates[0], 1);
    expect(refusal(c.handle(h.req0)).code).toBe('replay');
  });

  it('rejects a bad update before anything is sent', () => {
    const h = new Harness({ n: 4, length: 3 });
    expect(() => createClient(h.setupFor(h.identities[0]), [0, NaN, 0], 1)).toThrow(/update\[1\] is NaN/);
  });
});

describe('server, AdvertiseKeys', () => {
  it('collects signed keys and broadcasts those of the sites that answered', () => {
    const h = new Harness({ n: 4 });
    h.advertise(['site-D']);
    expect(h.req1!.advertised.map((a) => a.id)).toEqual(['site-A', 'site-B', 'site-C']);
    expect(h.server0.request().threshold).toBe(3);
  });

  it('rejects strangers, duplicates, forged signatures, small-order keys and other stages’ messages', () => {
    const h = new Harness({ n: 4 });
    const a = h.deliver('site-A', h.req0).reply!;
    if (a.type !== 'advertise-keys') throw new Error();
    expect(() => h.server0.accept({ ...a, from: 'site-Z' })).toThrow(/unknown-site/);
    expect(() => h.server0.accept({ ...a, from: 'site-B' })).toThrow(/bad-signature/);
    const low = new Uint8Array(32);
    low[0] = 1;
    const signedLow = sign(h.identities[2].secretKey, advertisePayload(h.req0, 'site-C', low, a.maskingKey));
    expect(() => h.server0.accept({ ...a, from: 'site-C', encryptionKey: low, signature: signedLow })).toThrow(/low-order-key/);
    expect(() => h.server0.accept({ type: 'masked-input', sessionId: new Uint8Array(32), from: 'site-A', masked: new Uint32Array(3) })).toThrow(/unexpected-message/);
    h.server0.accept(a);
    expect(() => h.server0.accept(a)).toThrow(/duplicate/);
    expect(() => h.server0.accept({ nonsense: true })).toThrow(SecAggError);
  });

  it('fails the round below the threshold and records why sites dropped', () => {
    const h = new Harness({ n: 4 });
    h.server0.accept(h.deliver('site-A', h.req0).reply);
    h.server0.accept(h.deliver('site-B', { ...h.req0, round: 99 }).reply); // B aborts: replay
    expect(() => h.server0.close()).toThrow(/below-threshold/);
    expect(h.server0['shared'].dropouts).toEqual([
      { site: 'site-B', stage: 'advertise_keys', code: 'replay', reason: expect.stringContaining('round 99') },
      { site: 'site-C', stage: 'advertise_keys' },
      { site: 'site-D', stage: 'advertise_keys' },
    ]);
  });

  it('refuses unsafe round settings at construction', () => {
    const h = new Harness({ n: 4 });
    expect(() => new ServerAdvertiseKeys({ run: 'r', round: 1, modelHash: h.modelHash, roster: h.roster, params: h.params, threshold: 2 })).toThrow(/n\/2 < t/);
    expect(() => new ServerAdvertiseKeys({ run: 'r', round: 1, modelHash: h.modelHash, roster: h.roster, params: { ...h.params, maxSites: 3 } })).toThrow(/exceeds maxSites/);
  });
});
