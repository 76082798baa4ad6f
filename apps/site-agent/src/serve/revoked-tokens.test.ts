/**
 * Signed-out clinician sessions on disk: <site-dir>/revoked-tokens.json written atomically (0600,
 * no temp file left), read back by a restarted SiteSessions (same secret) so the token stays
 * refused, expired entries dropped at the next write, and a corrupt file refused with its name.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tokenHash } from '@unbox/accounts';
import { readRevocations, RevokedTokens, revokedTokensPath } from './revoked-tokens.js';
import { SiteSessions } from './sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'unbox-revoked-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const secret = Buffer.alloc(32, 5);
const TTL = 1000;

describe('revoked-tokens.json', () => {
  it('keeps a signed-out token refused across a restart; other sessions and other sites are unaffected', () => {
    let t = 1_000_000;
    const path = revokedTokensPath(join(dir, 'site-a'));
    expect(readRevocations(path)).toEqual([]);
    const s1 = new SiteSessions(secret, 'A', () => t, TTL, new RevokedTokens(path, () => t));
    const a = s1.issue('dr.who', 'scrypt$h').token;
    t += 1;
    const b = s1.issue('dr.who', 'scrypt$h').token;
    expect(s1.revoke(a)).toBe(true);
    expect(s1.verify(a)).toBeNull();
    expect(s1.verify(b)).toMatchObject({ sub: 'dr.who', site: 'A' });
    expect(s1.revoke(a)).toBe(false);
    expect(s1.revoke('garbage')).toBe(false);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir, 'site-a'))).toEqual(['revoked-tokens.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, revoked: [{ hash: tokenHash(a), expires_at: 1_001_000 }] });
    expect(readFileSync(path, 'utf8')).not.toContain(a.split('.')[1]);

    const s2 = new SiteSessions(secret, 'A', () => t, TTL, new RevokedTokens(path, () => t));
    expect(s2.verify(a)).toBeNull();
    expect(s2.verify(b)).not.toBeNull();
    // a session kept in memory only (no file) forgets at restart: the file is what makes it last
    const mem = new SiteSessions(secret, 'A', () => t, TTL);
    expect(mem.verify(a)).not.toBeNull();

    // expired entries are dropped at the next write
    t = 1_001_000;
    const c = s2.issue('dr.who', 'scrypt$h').token;
    expect(s2.revoke(c)).toBe(true);
    expect(readRevocations(path)).toEqual([{ hash: tokenHash(c), expires_at: 1_002_000 }]);
  });

  it('refuses a corrupt or malformed file with its name and field, and writes nothing over it', () => {
    const path = revokedTokensPath(join(dir, 'site-bad'));
    new RevokedTokens(path).record({ hash: tokenHash('x'), expires_at: Date.now() + 1000 });
    expect(existsSync(path)).toBe(true);
    writeFileSync(path, '{"version": 1, "revoked": [');
    expect(() => new RevokedTokens(path)).toThrow(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON .*delete it to forget the sign-outs`));
    writeFileSync(path, JSON.stringify({ version: 1, revoked: [{ hash: 'abc', expires_at: 5 }] }));
    expect(() => readRevocations(path)).toThrow(/revoked-tokens\.json: revoked\.0\.hash: expected 64 hex characters/);
    writeFileSync(path, JSON.stringify({ version: 2, revoked: [] }));
    expect(() => readRevocations(path)).toThrow(/revoked-tokens\.json: version:/);
    expect(readFileSync(path, 'utf8')).toBe(JSON.stringify({ version: 2, revoked: [] }));
  });
});
