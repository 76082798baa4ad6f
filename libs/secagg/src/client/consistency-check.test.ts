import { describe, expect, it } from 'vitest';
import { sign, verify } from '../keys.js';
import { consistencyPayload } from '../session.js';
import { Harness, refusal } from '../testing/harness.js';

function upTo(skipMasked: string[] = []) {
  return new Harness({ n: 5 }).advertise().shareKeys().maskedInput(skipMasked);
}

describe('client, ConsistencyCheck', () => {
  it('signs exactly the survivor list (session-bound)', () => {
    const h = upTo(['site-E']);
    expect(h.req3!.survivors).toEqual(['site-A', 'site-B', 'site-C', 'site-D']);
    const step = h.deliver('site-B', h.req3);
    expect(step.state.stage).toBe('unmasking');
    const r = step.reply!;
    if (r.type !== 'consistency-signature') throw new Error(r.type);
    expect(verify(h.identities[1].publicKey, consistencyPayload(h.req3!.sessionId, h.req3!.survivors), r.signature)).toBe(true);
    expect(verify(h.identities[1].publicKey, consistencyPayload(h.req3!.sessionId, ['site-A', 'site-B', 'site-C']), r.signature)).toBe(false);
  });

  const cases: [string, (h: Harness) => unknown, string][] = [
    ['fewer than t survivors', (h) => ({ ...h.req3, survivors: ['site-A', 'site-B'] }), 'below-threshold'],
    ['a list that drops this site although its input arrived', (h) => ({ ...h.req3, survivors: ['site-B', 'site-C', 'site-D', 'site-E'] }), 'inconsistent-survivors'],
    ['a survivor that never shared keys', (h) => ({ ...h.req3, survivors: [...h.req3!.survivors, 'site-Q'] }), 'unknown-site'],
    ['a survivor listed twice', (h) => ({ ...h.req3, survivors: [...h.req3!.survivors, 'site-B'] }), 'duplicate'],
    ['a request of another session', (h) => ({ ...h.req3, sessionId: new Uint8Array(32) }), 'replay'],
    ['an unmasking request before the check', (h) => ({ type: 'unmasking-request', sessionId: h.req3!.sessionId, dropped: [], signatures: [] }), 'unexpected-message'],
  ];
  for (const [what, make, code] of cases) {
    it(`refuses ${what} (${code})`, () => {
      const h = upTo();
      const r = refusal(h.deliver('site-A', make(h)));
      expect(r.code).toBe(code);
      expect(r.keys).toContain('sessionId');
      expect(r.keys).not.toContain('signature');
    });
  }
});

describe('server, ConsistencyCheck', () => {
  it('accepts only signatures over the list it sent', () => {
    const h = upTo(['site-E']);
    const forged = sign(h.identities[0].secretKey, consistencyPayload(h.req3!.sessionId, ['site-A', 'site-B', 'site-C']));
    expect(() => h.server3!.accept({ type: 'consistency-signature', sessionId: h.req3!.sessionId, from: 'site-A', signature: forged })).toThrow(/bad-signature/);
    const r = h.deliver('site-A', h.req3).reply;
    expect(() => h.server3!.accept({ ...(r as object), from: 'site-E' })).toThrow(/unknown-site/);
    h.server3!.accept(r);
    h.server3!.accept(h.deliver('site-B', h.req3).reply);
    expect(() => h.server3!.close()).toThrow(/below-threshold/);
  });
});
