import { statSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hashPassword, verifyPassword } from './passwords.js';
import { FREE_FAILURES, LoginThrottle, MAX_LOCK_MS } from './login-throttle.js';
import { generationOf, loadOrCreateSessionSecret, SignedTokens } from './session-tokens.js';

const Claims = z.strictObject({ v: z.literal(1), sub: z.string().min(1), role: z.literal('admin'), gen: z.string().regex(/^[0-9a-f]{16}$/), exp: z.number().int() });

const dir = mkdtempSync(join(tmpdir(), 'unbox-sessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('password hashes (scrypt)', () => {
  it('verifies the right password only, salts every hash, and refuses unknown users and garbage', async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    const a = await hashPassword('correct horse', cheap);
    const b = await hashPassword('correct horse', cheap);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
    expect(await verifyPassword('correct horse', null)).toBe(false);
    expect(await verifyPassword('correct horse', 'md5$abc')).toBe(false);
  });
});

describe('session tokens', () => {
  let t = 1_000_000;
  const secret = loadOrCreateSessionSecret(dir);
  const s = new SignedTokens(secret, 'test-session.v1.', Claims, () => t, 1000);

  it('keeps a 32-byte secret in a 0600 file, reused on the next start, refused when others can read it', () => {
    const path = join(dir, 'session-secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSessionSecret(dir).equals(secret)).toBe(true);
    expect(secret).toHaveLength(32);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateSessionSecret(dir)).toThrow(/readable by others \(mode 644\)/);
    chmodSync(path, 0o600);
  });

  it('round-trips claims until they expire; a tampered, foreign-secret, other-purpose or expired token is refused', () => {
    const { token, expires_at } = s.sign({ v: 1, sub: 'alice', role: 'admin', gen: generationOf('scrypt$hash-1') });
    expect(expires_at).toBe(t + 1000);
    expect(s.verify(token)).toMatchObject({ v: 1, sub: 'alice', role: 'admin', exp: t + 1000, gen: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const [body, sig] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), sub: 'mallory' })).toString('base64url');
    expect(s.verify(`${forged}.${sig}`)).toBeNull();
    expect(s.verify(`${body}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`)).toBeNull();
    const other = new SignedTokens(Buffer.alloc(32, 7), 'test-session.v1.', Claims, () => t, 1000);
    expect(other.verify(token)).toBeNull();
    const otherPurpose = new SignedTokens(secret, 'other-session.v1.', Claims, () => t, 1000);
    expect(otherPurpose.verify(token)).toBeNull();
    expect(s.verify('not-a-token')).toBeNull();
    t += 999;
    expect(s.verify(token)).not.toBeNull();
    t += 1;
    expect(s.verify(token)).toBeNull();
  });
});

describe('login throttle', () => {
  it('allows FREE_FAILURES failures, then locks for 1 s, 2 s, 4 s … (capped); success clears', () => {
    let t = 0;
    const th = new LoginThrottle(() => t);
    for (let i = 0; i < FREE_FAILURES - 1; i++) th.failed('a');
    expect(th.wait('a')).toBe(0);
    th.failed('a');
    expect(th.wait('a')).toBe(1000);
    expect(th.wait('b')).toBe(0);
    t += 1000;
    expect(th.wait('a')).toBe(0);
    th.failed('a');
    expect(th.wait('a')).toBe(2000);
    t += 2000;
    th.failed('a');
    expect(th.wait('a')).toBe(4000);
    for (let i = 0; i < 30; i++) th.failed('a');
    expect(th.wait('a')).toBe(MAX_LOCK_MS);
    th.succeeded('a');
    expect(th.wait('a')).toBe(0);
  });
});
