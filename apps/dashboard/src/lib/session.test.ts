import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSession, sealSession, sessionCookieOptions, sessionExpiry, SESSION_MAX_MS, type Session } from './session.js';

const key = randomBytes(32);
const now = 1_800_000_000_000;
const s: Session = { role: 'clinician', username: 'ana', site: 'A', token: 'payload.sig', exp: now + 60_000 };

describe('session cookie', () => {
  it('round-trips and hides the upstream token', () => {
    const v = sealSession(s, key);
    expect(v).not.toContain('payload');
    expect(Buffer.from(v.split('.')[2], 'base64url').toString('latin1')).not.toContain('payload.sig');
    expect(openSession(v, key, now)).toEqual(s);
  });
  it('is refused when altered in any part, with another key, malformed or expired', () => {
    const v = sealSession(s, key);
    const parts = v.split('.');
    for (let p = 0; p < 3; p++) {
      const b = Buffer.from(parts[p], 'base64url');
      b[0] ^= 1;
      const forged = parts.map((x, i) => (i === p ? b.toString('base64url') : x)).join('.');
      expect(openSession(forged, key, now)).toBeNull();
    }
    expect(openSession(v, randomBytes(32), now)).toBeNull();
    expect(openSession('a.b', key, now)).toBeNull();
    expect(openSession('', key, now)).toBeNull();
    expect(openSession(undefined, key, now)).toBeNull();
    expect(openSession(v, key, s.exp)).toBeNull();
    expect(openSession(v, key, s.exp - 1)).not.toBeNull();
  });
  it('a clinician cannot make itself admin: the role is inside the sealed payload', () => {
    const admin = sealSession({ ...s, role: 'admin', site: null }, key);
    const clin = sealSession(s, key);
    // splicing the ciphertext of one into the other's iv/tag fails the GCM tag
    const [iv, tag] = clin.split('.');
    expect(openSession(`${iv}.${tag}.${admin.split('.')[2]}`, key, now)).toBeNull();
  });
  it('expiry: the upstream expiry, capped at 12 h', () => {
    expect(sessionExpiry(now + 1000, now)).toBe(now + 1000);
    expect(sessionExpiry(now + 10 * SESSION_MAX_MS, now)).toBe(now + SESSION_MAX_MS);
    expect(sessionExpiry(undefined, now)).toBe(now + SESSION_MAX_MS);
    expect(sessionExpiry(now - 5, now)).toBe(now + SESSION_MAX_MS);
  });
  it('cookie attributes: httpOnly, SameSite=Strict, max-age to the expiry', () => {
    expect(sessionCookieOptions(false, now + 90_500, now)).toEqual({ httpOnly: true, sameSite: 'strict', path: '/', secure: false, maxAge: 90 });
    expect(sessionCookieOptions(true, now - 1, now).maxAge).toBe(0);
  });
});
