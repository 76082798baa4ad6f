/**
 * Dashboard sign-out against a real coordinator (SQLite, and PostgreSQL when DATABASE_URL is set):
 * POST /api/auth/logout revokes the bearer session token (204) until it expires, other sessions of
 * the same admin keep working, the admin token is refused (400), and the revocation survives a
 * coordinator restart on the same database; expired revocations are pruned from the table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, tokenHash } from '@unbox/accounts';
import { createCoordinator, type RunningCoordinator } from '../app/create-coordinator.js';
import { defaultOptions } from '../options.js';
import { freshPostgresSchema, HAVE_POSTGRES, tempDir } from '../testing/databases.js';
import { UserStore } from '../users/user-store.js';
import { RevokedTokenStore } from './revoked-token-store.js';

/** the coordinators under test read this clock */
let clock = Date.now();
const now = () => clock;

async function call(c: RunningCoordinator, method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await fetch(c.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

function logoutSuite(name: string, make: () => Promise<{ url?: string; drop?: () => Promise<void> }>) {
  describe(`dashboard sign-out (${name})`, () => {
    const dir = tempDir();
    let url: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    let c: RunningCoordinator;
    const start = () => createCoordinator(defaultOptions(dir.dir, { port: 0, databaseUrl: url, log: () => undefined, waitPollMs: 50, now }));
    const login = async (username: string) => {
      const r = await call(c, 'POST', '/api/auth/login', null, { username, password: `${username} password` });
      expect(r.status).toBe(200);
      clock += 1; // tokens of the same claims signed in the same millisecond would be one token
      return r.body!.token as string;
    };
    beforeAll(async () => {
      ({ url, drop } = await make());
      c = await start();
      const users = new UserStore(c.database.db);
      for (const u of ['alice', 'bob']) await users.add({ username: u, role: 'admin', passwordHash: await hashPassword(`${u} password`, { N: 1024, r: 8, p: 1 }), now: clock });
    });
    afterAll(async () => {
      await c?.close();
      dir.cleanup();
      await drop?.();
    });

    it('revokes the bearer session (204): refused by every admin route from then on, other sessions unaffected; survives a restart', async () => {
      const a1 = await login('alice');
      const a2 = await login('alice');
      const b = await login('bob');
      expect((await call(c, 'GET', '/api/runs', a1)).status).toBe(200);
      const out = await call(c, 'POST', '/api/auth/logout', a1);
      expect(out).toEqual({ status: 204, body: null });
      expect((await call(c, 'GET', '/api/runs', a1)).status).toBe(401);
      expect((await call(c, 'GET', '/api/auth/me', a1)).status).toBe(401);
      expect((await call(c, 'GET', '/api/auth/me', a2)).body).toMatchObject({ kind: 'session', username: 'alice' });
      expect((await call(c, 'GET', '/api/runs', b)).status).toBe(200);
      // signing out again with the dead token, without a token, or with garbage: 401
      for (const t of [a1, null, 'nope']) expect([t, (await call(c, 'POST', '/api/auth/logout', t)).status]).toEqual([t, 401]);
      // only the hash is stored, with the token's own expiry
      const rows = await new RevokedTokenStore(c.database.db).load(clock);
      expect(rows).toEqual([{ hash: tokenHash(a1), expires_at: JSON.parse(Buffer.from(a1.split('.')[0], 'base64url').toString()).exp }]);

      await c.close();
      c = await start();
      expect((await call(c, 'GET', '/api/runs', a1)).status).toBe(401);
      expect((await call(c, 'GET', '/api/runs', a2)).status).toBe(200);
      expect((await call(c, 'POST', '/api/auth/logout', b)).status).toBe(204);
      expect((await call(c, 'GET', '/api/runs', b)).status).toBe(401);
    });

    it('refuses to sign out the admin token (400, which keeps working)', async () => {
      const r = await call(c, 'POST', '/api/auth/logout', c.adminToken);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'bad_message', error: expect.stringMatching(/admin token is not a session and cannot be signed out/) });
      expect((await call(c, 'GET', '/api/runs', c.adminToken)).status).toBe(200);
    });

    it('prunes revocations once their tokens have expired (at the next sign-out and at start)', async () => {
      const store = new RevokedTokenStore(c.database.db);
      const old = await login('alice');
      expect((await call(c, 'POST', '/api/auth/logout', old)).status).toBe(204);
      const before = (await store.load(clock)).length;
      expect(before).toBeGreaterThanOrEqual(1);
      clock += 12 * 3600_000 + 1; // every token revoked so far has expired
      const fresh = await login('alice');
      expect((await call(c, 'POST', '/api/auth/logout', fresh)).status).toBe(204);
      expect(await store.load(0)).toEqual([{ hash: tokenHash(fresh), expires_at: clock - 1 + 12 * 3600_000 }]);
      await store.add({ hash: tokenHash('expired'), expires_at: clock - 1 });
      await c.close();
      c = await start();
      expect(await new RevokedTokenStore(c.database.db).load(0)).toEqual([{ hash: tokenHash(fresh), expires_at: clock - 1 + 12 * 3600_000 }]);
      expect((await call(c, 'GET', '/api/runs', fresh)).status).toBe(401);
    });

    it('documents the logout route in OpenAPI', async () => {
      const doc = (await call(c, 'GET', '/api/openapi.json', null)).body as { paths: Record<string, { post?: { summary?: string; security?: unknown[] } }> };
      expect(doc.paths['/api/auth/logout']?.post).toMatchObject({ summary: expect.stringMatching(/^Sign-out/), security: [{ bearer: [] }] });
    });
  });
}

logoutSuite('sqlite', async () => ({}));
if (HAVE_POSTGRES) logoutSuite('postgres', async () => freshPostgresSchema());
else describe.skip('dashboard sign-out (postgres): DATABASE_URL not set', () => it('skipped', () => undefined));
