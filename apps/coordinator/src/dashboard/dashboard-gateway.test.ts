/**
 * The /dashboard socket.io namespace: handshakes without a valid admin session are refused with
 * connect_error; a signed-in admin receives `run` and `round` events (schema-valid) as the store
 * records a run's life: created, paused, a round attempt begun, a dropout, the round ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { DashboardRoundEvent, DashboardRunEvent } from '@unbox/protocol';
import { testCoordinator, type TestCoordinator } from '../testing/coordinator.js';
import { hashPassword } from '@unbox/accounts';
import { UserStore } from '../users/user-store.js';

const config = { version: 1, task: 'classify', model: 'logreg:4', rounds: 3, strategy: { name: 'fedavg' }, train: { batch_size: 8, lr: 0.1 } };

function connect(c: TestCoordinator, token: unknown): Promise<{ s: Socket; error?: Error }> {
  const s = io(`${c.url}/dashboard`, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true, auth: token === undefined ? {} : { token } });
  return new Promise((resolve) => {
    s.once('connect', () => resolve({ s }));
    s.once('connect_error', (error) => resolve({ s, error }));
  });
}

/** Collects events; `until` waits for the first one matching. */
function recorder(s: Socket) {
  const seen: { event: string; body: unknown }[] = [];
  const waiters: { test: (e: { event: string; body: unknown }) => boolean; done: (e: { event: string; body: unknown }) => void }[] = [];
  for (const event of ['run', 'round'])
    s.on(event, (body: unknown) => {
      const e = { event, body };
      seen.push(e);
      for (const w of [...waiters]) if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(e);
      }
    });
  return {
    seen,
    until(test: (e: { event: string; body: unknown }) => boolean, timeoutMs = 5000): Promise<{ event: string; body: unknown }> {
      const hit = seen.find(test);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs);
        waiters.push({ test, done: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
  };
}

describe('dashboard namespace', () => {
  let c: TestCoordinator;
  let session: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    c = await testCoordinator();
    await new UserStore(c.database.db).add({ username: 'admin', role: 'admin', passwordHash: await hashPassword('admin password', { N: 1024, r: 8, p: 1 }), now: Date.now() });
    session = (await c.rest<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: 'admin password' }, null)).body.token;
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await c?.dispose();
  });

  it('refuses a handshake without a token, with a wrong or forged one (connect_error)', async () => {
    for (const token of [undefined, 'nope', 42, session.slice(0, -3) + 'xyz']) {
      const r = await connect(c, token);
      sockets.push(r.s);
      expect(r.error?.message).toMatch(/^unauthorized: /);
      expect(r.s.connected).toBe(false);
    }
  });

  it('streams run and round changes to a signed-in admin (and to the admin token)', async () => {
    const a = await connect(c, session);
    const b = await connect(c, c.adminToken);
    sockets.push(a.s, b.s);
    expect([a.error, b.error]).toEqual([undefined, undefined]);
    const ra = recorder(a.s);
    const rb = recorder(b.s);
    const run = (await c.rest<{ run_id: string }>('POST', '/api/runs', config)).body.run_id;
    const created = await ra.until((e) => e.event === 'run' && (e.body as DashboardRunEvent).run.run_id === run);
    expect(DashboardRunEvent.parse(created.body).run).toMatchObject({ run_id: run, status: 'running', rounds: 3, completed_rounds: 0, strategy: 'fedavg' });
    await rb.until((e) => e.event === 'run');
    await c.rest('POST', `/api/runs/${run}/control`, { action: 'pause' });
    await ra.until((e) => e.event === 'run' && (e.body as DashboardRunEvent).run.status === 'paused');
    // the run is paused, so this round is ours: the store writes the run engine makes, in order
    const attempt = await c.store.beginRound({ run, round: 1, secure: true, modelHashIn: 'a'.repeat(64), now: Date.now() });
    const began = DashboardRoundEvent.parse((await ra.until((e) => e.event === 'round')).body);
    expect(began).toMatchObject({ run_id: run, round: { round: 1, attempt, status: 'running', secure: true, ended_at: null } });
    await c.store.setCohort(run, 1, attempt, 'fit', ['site-a', 'site-b']);
    await c.store.addDropout(run, 1, attempt, { site: 'site-b', stage: 'fit', reason: 'disconnected', at: Date.now() });
    const dropped = await ra.until((e) => e.event === 'round' && (e.body as DashboardRoundEvent).round.dropouts.length === 1);
    expect(DashboardRoundEvent.parse(dropped.body).round).toMatchObject({ cohort: ['site-a', 'site-b'], dropouts: [{ site: 'site-b', stage: 'fit', reason: 'disconnected' }] });
    await c.store.endRound({ run, round: 1, attempt, status: 'done', modelHashOut: 'b'.repeat(64), now: Date.now() });
    const ended = await ra.until((e) => e.event === 'round' && (e.body as DashboardRoundEvent).round.status === 'done');
    expect(DashboardRoundEvent.parse(ended.body).round).toMatchObject({ phase: 'done', model_hash_out: 'b'.repeat(64), ended_at: expect.any(Number) });
    const progressed = await ra.until((e) => e.event === 'run' && (e.body as DashboardRunEvent).run.completed_rounds === 1);
    expect(DashboardRunEvent.parse(progressed.body).run.model_hash).toBe('b'.repeat(64));
    await rb.until((e) => e.event === 'round' && (e.body as DashboardRoundEvent).round.status === 'done');
  });
});

describe('dashboard namespace: sign-out', () => {
  let c: TestCoordinator;
  beforeAll(async () => {
    c = await testCoordinator();
    await new UserStore(c.database.db).add({ username: 'admin', role: 'admin', passwordHash: await hashPassword('admin password', { N: 1024, r: 8, p: 1 }), now: Date.now() });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('closes the feed of a session when it signs out (POST /api/auth/logout), not the admin token feed', async () => {
    const session = (await c.rest<{ token: string }>('POST', '/api/auth/login', { username: 'admin', password: 'admin password' }, null)).body.token;
    const a = await connect(c, session);
    const b = await connect(c, c.adminToken);
    expect([a.error, b.error]).toEqual([undefined, undefined]);
    const closed = new Promise<string>((resolve) => a.s.once('disconnect', (reason) => resolve(reason)));
    expect((await fetch(`${c.url}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })).status).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect(b.s.connected).toBe(true);
    const again = await connect(c, session);
    expect(again.error?.message).toMatch(/^unauthorized: /);
    for (const s of [a.s, b.s, again.s]) s.disconnect();
  });
});
