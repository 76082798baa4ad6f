/**
 * Dashboard sign-in against a real coordinator (SQLite, and PostgreSQL when DATABASE_URL is set):
 * accounts made by the real `unbox-coordinator user` process (refusals through its functions), POST /api/auth/login, the same
 * refusal for unknown user and wrong password, the failure throttle, admin routes accepting an
 * admin session, and sessions ending when the account is removed or its password changes.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinatorLoginResponse, ErrorMessage } from '@unbox/protocol';
import { testCoordinator, type TestCoordinator } from '../testing/coordinator.js';
import { freshPostgresSchema, HAVE_POSTGRES } from '../testing/databases.js';
import { hashPassword } from '@unbox/accounts';
import { UserStore } from '../users/user-store.js';
import { userAdd, userPassword, userRemove } from '../users/user-commands.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../../../..');
const bin = resolve(repo, 'apps/coordinator/bin/unbox-coordinator.js');

async function cli(dataDir: string, databaseUrl: string | undefined, args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
  const p = run(process.execPath, [bin, '--data', dataDir, ...args], { cwd: repo, env: { ...process.env, DATABASE_URL: databaseUrl ?? '' } });
  if (input !== undefined) p.child.stdin!.end(input);
  else p.child.stdin!.end();
  try {
    const r = await p;
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

function loginSuite(name: string, make: () => Promise<{ c: TestCoordinator; url?: string; drop?: () => Promise<void> }>) {
  describe(`dashboard sign-in (${name})`, () => {
    let c: TestCoordinator;
    let url: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    const login = (username: string, password: unknown) => c.rest<{ token: string; error: string; code: string }>('POST', '/api/auth/login', { username, password }, null);
    beforeAll(async () => {
      ({ c, url, drop } = await make());
    });
    afterAll(async () => {
      await c?.dispose();
      await drop?.();
    });

    it('unbox-coordinator user add/list/remove manage accounts in the database the server uses', async () => {
      const add = await cli(c.dataDir, url, ['user', 'add', 'Alice'], 'correct horse battery\n');
      expect(add.code).toBe(0);
      expect(JSON.parse(add.out)).toEqual({ username: 'alice', role: 'admin' });
      const gen = await cli(c.dataDir, url, ['user', 'add', 'bob'], '');
      expect(JSON.parse(gen.out)).toMatchObject({ username: 'bob', role: 'admin', password: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/) });
      // refusals, through the same functions without a process each
      const pwFile = join(c.dataDir, 'pw.txt');
      writeFileSync(pwFile, 'another password\n');
      await expect(userAdd({ data: c.dataDir, databaseUrl: url ?? '' }, 'ALICE', 'admin', pwFile)).rejects.toThrow(/user "alice" already exists/);
      writeFileSync(pwFile, 'short\n');
      await expect(userAdd({ data: c.dataDir, databaseUrl: url ?? '' }, 'carol', 'admin', pwFile)).rejects.toThrow(/password in .*pw\.txt must be at least 8 characters/);
      await expect(userAdd({ data: c.dataDir, databaseUrl: url ?? '' }, 'dan', 'clinician', pwFile)).rejects.toThrow(/clinicians sign in at their site/);
      await expect(userAdd({ data: c.dataDir, databaseUrl: url ?? '' }, 'bad name', 'admin', pwFile)).rejects.toThrow(/username "bad name": only letters/);
      await expect(userRemove({ data: c.dataDir, databaseUrl: url ?? '' }, 'nobody')).rejects.toThrow(/no user "nobody"/);
      const list = JSON.parse((await cli(c.dataDir, url, ['user', 'list'])).out) as { users: { username: string; role: string }[] };
      expect(list.users.map((u) => [u.username, u.role])).toEqual([['alice', 'admin'], ['bob', 'admin']]);
      expect(JSON.stringify(list)).not.toMatch(/scrypt/);
      expect(JSON.parse((await cli(c.dataDir, url, ['user', 'remove', 'bob'])).out)).toEqual({ username: 'bob', removed: true });
      const ok = await login('alice', 'correct horse battery');
      expect(ok.status).toBe(200);
    });

    it('signs an admin in (case-insensitive name); the session opens every admin route until it expires', async () => {
      const r = await login('ALICE', 'correct horse battery');
      expect(r.status).toBe(200);
      const body = CoordinatorLoginResponse.parse(r.body);
      expect(body).toMatchObject({ role: 'admin', username: 'alice' });
      expect(body.expires_at - clock).toBeGreaterThanOrEqual(12 * 3600_000 - 60_000);
      for (const path of ['/api/runs', '/api/sites', '/api/models', '/api/strategies']) expect([path, (await c.rest('GET', path, undefined, body.token)).status]).toEqual([path, 200]);
      expect((await c.rest('GET', '/api/runs', undefined, c.adminToken)).status).toBe(200);
      expect((await c.rest('GET', '/api/auth/me', undefined, body.token)).body).toEqual({ role: 'admin', kind: 'session', username: 'alice', expires_at: body.expires_at });
      expect((await c.rest('GET', '/api/auth/me', undefined, c.adminToken)).body).toEqual({ role: 'admin', kind: 'admin-token' });
      expect((await c.rest('GET', '/api/auth/me', undefined, null)).status).toBe(401);
      const bad = await c.rest<{ message: string; code: string }>('GET', '/api/runs', undefined, body.token.slice(0, -2) + 'AA');
      expect(bad.status).toBe(401);
      // other routes keep the protocol's strict error shape
      expect(ErrorMessage.parse(bad.body)).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/session token/) });
      clock += 12 * 3600_000 + 1;
      expect((await c.rest('GET', '/api/runs', undefined, body.token)).status).toBe(401);
      clock = Date.now();
    });

    it('answers unknown user and wrong password alike (401 {error}); a malformed body is 400', async () => {
      const wrong = await login('alice', 'wrong password');
      const unknown = await login('nobody', 'wrong password');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error).toBe('wrong username or password');
      const malformed = await c.rest<{ error: string; field: string }>('POST', '/api/auth/login', { username: 'alice' }, null);
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ field: 'password', error: expect.stringMatching(/^login: password:/) });
      expect((await c.rest('POST', '/api/auth/login', { username: 'a b', password: 'x' }, null)).status).toBe(400);
    });

    it('throttles repeated failures per account (429 with Retry-After), for unknown accounts too; success clears it', async () => {
      const users = new UserStore(c.database.db);
      await users.add({ username: 'erin', role: 'admin', passwordHash: await hashPassword('erin password', { N: 1024, r: 8, p: 1 }), now: clock });
      for (const who of ['erin', 'ghost']) {
        for (let i = 0; i < 5; i++) expect((await login(who, 'guess ' + i)).status).toBe(401);
        const locked = await fetch(c.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: who, password: 'erin password' }) });
        expect(locked.status).toBe(429);
        expect(locked.headers.get('retry-after')).toBe('1');
        expect((await locked.json()).error).toMatch(/too many failed sign-ins/);
      }
      expect((await login('alice', 'correct horse battery')).status).toBe(200);
      clock += 1001;
      expect((await login('erin', 'erin password')).status).toBe(200);
      expect((await login('erin', 'nope 1')).status).toBe(401);
      expect((await login('erin', 'erin password')).status).toBe(200);
    });

    it('ends sessions when the password changes or the account is removed', async () => {
      const users = new UserStore(c.database.db);
      await users.add({ username: 'frank', role: 'admin', passwordHash: await hashPassword('frank password 1', { N: 1024, r: 8, p: 1 }), now: clock });
      const t1 = (await login('frank', 'frank password 1')).body.token;
      expect((await c.rest('GET', '/api/runs', undefined, t1)).status).toBe(200);
      writeFileSync(join(c.dataDir, 'frank.txt'), 'frank password 2\n');
      expect(await userPassword({ data: c.dataDir, databaseUrl: url ?? '' }, 'frank', join(c.dataDir, 'frank.txt'))).toEqual({ username: 'frank', sessions: 'ended' });
      expect((await c.rest('GET', '/api/runs', undefined, t1)).status).toBe(401);
      expect((await login('frank', 'frank password 1')).status).toBe(401);
      const t2 = (await login('frank', 'frank password 2')).body.token;
      expect((await c.rest('GET', '/api/runs', undefined, t2)).status).toBe(200);
      await users.remove('frank');
      expect((await c.rest('GET', '/api/runs', undefined, t2)).status).toBe(401);
    });

    it('documents the login route in OpenAPI', async () => {
      const doc = (await c.rest<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json', undefined, null)).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/auth/me']));
    });
  });
}

/** the coordinators under test read this clock */
let clock = Date.now();
const now = () => clock;
loginSuite('sqlite', async () => ({ c: await testCoordinator({ now }) }));
if (HAVE_POSTGRES)
  loginSuite('postgres', async () => {
    const s = await freshPostgresSchema();
    return { c: await testCoordinator({ databaseUrl: s.url, now }), url: s.url, drop: s.drop };
  });
else describe.skip('dashboard sign-in (postgres): DATABASE_URL not set', () => it('skipped', () => undefined));
