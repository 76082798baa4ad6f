import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SignedTokens } from './session-tokens.js';
import { tokenHash, TokenRevocations } from './token-revocations.js';

const Claims = z.strictObject({ v: z.literal(1), sub: z.string().min(1), exp: z.number().int() });
const secret = Buffer.alloc(32, 3);

describe('token revocations (sign-out)', () => {
  it('refuses a revoked token until its expiry; other tokens, even of the same user, still verify', () => {
    let t = 1_000_000;
    const list = new TokenRevocations(() => t);
    const s = new SignedTokens(secret, 'test-session.v1.', Claims, () => t, 1000, list);
    const a = s.sign({ v: 1, sub: 'alice' });
    t += 1;
    const a2 = s.sign({ v: 1, sub: 'alice' });
    const b = s.sign({ v: 1, sub: 'bob' });
    expect(a.token).not.toBe(a2.token);
    const r = s.revoke(a.token);
    expect(r).toEqual({ claims: { v: 1, sub: 'alice', exp: 1_001_000 }, revocation: { hash: createHash('sha256').update(a.token).digest('hex'), expires_at: 1_001_000 } });
    expect(s.verify(a.token)).toBeNull();
    expect(s.verify(a2.token)).toMatchObject({ sub: 'alice' });
    expect(s.verify(b.token)).toMatchObject({ sub: 'bob' });
    // a second sign-out of the same token, or of a forged or foreign one, revokes nothing
    expect(s.revoke(a.token)).toBeNull();
    expect(s.revoke('not-a-token')).toBeNull();
    expect(s.revoke(new SignedTokens(Buffer.alloc(32, 9), 'test-session.v1.', Claims, () => t, 1000).sign({ v: 1, sub: 'alice' }).token)).toBeNull();
    expect(list.size).toBe(1);
    // the list never holds the token itself
    expect(JSON.stringify(list.entries())).not.toContain(a.token.split('.')[1]);
  });

  it('two sign-ins in the same millisecond get different tokens (jti); signing one out leaves the other', () => {
    const t = 2_000_000;
    const s = new SignedTokens(secret, 'test-session.v1.', Claims, () => t, 1000, new TokenRevocations(() => t));
    const a = s.sign({ v: 1, sub: 'alice' });
    const b = s.sign({ v: 1, sub: 'alice' });
    expect(a.token).not.toBe(b.token);
    s.revoke(a.token);
    expect(s.verify(a.token)).toBeNull();
    expect(s.verify(b.token)).toEqual({ v: 1, sub: 'alice', exp: 2_001_000 });
    // a correctly signed body without a well-formed jti is refused
    const signed = (claims: object) => {
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${body}.${createHmac('sha256', secret).update('test-session.v1.' + body).digest('base64url')}`;
    };
    expect(s.verify(signed({ v: 1, sub: 'alice', exp: 2_001_000, jti: 'A'.repeat(22) }))).toEqual({ v: 1, sub: 'alice', exp: 2_001_000 });
    expect(s.verify(signed({ v: 1, sub: 'alice', exp: 2_001_000 }))).toBeNull();
    expect(s.verify(signed({ v: 1, sub: 'alice', exp: 2_001_000, jti: 'short' }))).toBeNull();
  });

  it('prunes an entry once its token has expired (injected clock), and never keeps an expired one', () => {
    let t = 5_000;
    const list = new TokenRevocations(() => t);
    const e1 = list.revoke('token-1', 6_000);
    list.revoke('token-2', 8_000);
    expect(e1).toEqual({ hash: tokenHash('token-1'), expires_at: 6_000 });
    expect([list.isRevoked('token-1'), list.isRevoked('token-2'), list.isRevoked('token-3')]).toEqual([true, true, false]);
    t = 5_999;
    expect(list.prune()).toBe(0);
    t = 6_000;
    expect(list.isRevoked('token-1')).toBe(false);
    expect(list.prune()).toBe(1);
    expect(list.entries()).toEqual([{ hash: tokenHash('token-2'), expires_at: 8_000 }]);
    list.revoke('token-old', 6_000);
    expect(list.size).toBe(1);
    t = 8_000;
    expect(list.entries()).toEqual([]);
    expect(list.size).toBe(0);
  });

  it('round-trips through its entries (what a service persists), dropping expired ones; refuses malformed entries', () => {
    let t = 100;
    const a = new TokenRevocations(() => t);
    a.revoke('x', 200);
    a.revoke('y', 300);
    t = 250;
    const b = new TokenRevocations(() => t, [...a.entries(), { hash: tokenHash('z'), expires_at: 150 }]);
    expect([b.isRevoked('x'), b.isRevoked('y'), b.isRevoked('z')]).toEqual([false, true, false]);
    expect(b.size).toBe(1);
    expect(() => b.add({ hash: 'abc', expires_at: 400 })).toThrow(/hash must be 64 hex characters/);
    expect(() => b.add({ hash: tokenHash('w'), expires_at: Number.NaN })).toThrow(/expires_at must be a number/);
  });

  it('revoke() needs a revocation list', () => {
    const s = new SignedTokens(secret, 'test-session.v1.', Claims, () => 0, 1000);
    expect(() => s.revoke(s.sign({ v: 1, sub: 'a' }).token)).toThrow(/without a TokenRevocations/);
  });
});
