import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from '@unbox/secagg';
import { testCoordinator, type TestCoordinator } from '../testing/coordinator.js';
import { freshPostgresSchema, HAVE_POSTGRES } from '../testing/databases.js';

const key = () => Buffer.from(generateIdentity('x').publicKey).toString('base64');
const config = (extra: Record<string, unknown> = {}) => ({ version: 1, task: 'classify', model: 'logreg:4', rounds: 2, strategy: { name: 'fedavg' }, train: { batch_size: 8, lr: 0.1 }, ...extra });

function restSuite(name: string, make: () => Promise<{ c: TestCoordinator; drop?: () => Promise<void> }>) {
  describe(`REST admin and enrollment (${name})`, () => {
    let c: TestCoordinator;
    let drop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ c, drop } = await make());
    });
    afterAll(async () => {
      await c?.dispose();
      await drop?.();
    });

    it(`runs on ${name}`, () => {
      expect(c.database.dialect).toBe(name);
    });

    it('serves the OpenAPI document with every admin route', async () => {
      const doc = (await c.rest<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json', undefined, null)).body;
      for (const p of ['/api/enroll', '/api/sites', '/api/sites/{id}/revoke', '/api/runs', '/api/runs/{id}', '/api/runs/{id}/control', '/api/runs/{id}/metrics', '/api/models', '/api/strategies'])
        expect(Object.keys(doc.paths)).toContain(p);
    });

    it('refuses admin calls without the bearer token', async () => {
      const r = await c.rest<{ code: string }>('GET', '/api/sites', undefined, null);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('unauthorized');
      expect((await c.rest('GET', '/api/sites', undefined, 'wrong-token')).status).toBe(401);
    });

    it('adds a site, enrolls it once with its token, revokes it', async () => {
      const add = await c.rest<{ site_id: string; token: string; expires_at: number }>('POST', '/api/sites', { site_id: 'centre-a', name: 'Centre A' });
      expect(add.status).toBe(201);
      expect(add.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const bad = await c.rest<{ code: string; field: string }>('POST', '/api/enroll', { token: add.body.token, public_key: 'short', agent_version: 'x' }, null);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('public_key');
      const ok = await c.rest<{ site_id: string; coordinator_key: string }>('POST', '/api/enroll', { token: add.body.token, public_key: key(), agent_version: 'test' }, null);
      expect(ok.status).toBe(200);
      expect(ok.body.site_id).toBe('centre-a');
      expect(Buffer.from(ok.body.coordinator_key, 'base64')).toHaveLength(32);
      const again = await c.rest<{ message: string }>('POST', '/api/enroll', { token: add.body.token, public_key: key(), agent_version: 'test' }, null);
      expect(again.status).toBe(401);
      expect(again.body.message).toMatch(/unknown or already used/);
      const list = await c.rest<{ sites: { site_id: string; status: string; connected: boolean }[] }>('GET', '/api/sites');
      expect(list.body.sites).toEqual([expect.objectContaining({ site_id: 'centre-a', status: 'enrolled', connected: false, name: 'Centre A' })]);
      expect((await c.rest('POST', '/api/sites', { site_id: 'centre-a' })).status).toBe(409);
      expect((await c.rest('POST', '/api/sites/centre-a/revoke', { reason: 'lost laptop' })).status).toBe(200);
      expect((await c.rest('POST', '/api/sites/centre-a/revoke', {})).status).toBe(409);
      expect((await c.rest('POST', '/api/sites/nobody/revoke', {})).status).toBe(404);
      expect((await c.rest('POST', '/api/sites', { site_id: 'bad id!' })).body).toMatchObject({ code: 'bad_message', field: 'site_id' });
    });

    it('validates run configs and starts a run with the initial model stored as version 0', async () => {
      const plain = await c.rest<{ field: string; message: string }>('POST', '/api/runs', config({ secure_aggregation: false }));
      expect(plain.status).toBe(400);
      expect(plain.body.field).toBe('secure_aggregation');
      expect(plain.body.message).toMatch(/debug_plaintext/);
      const unknown = await c.rest<{ field: string }>('POST', '/api/runs', config({ model: 'resnet:9' }));
      expect(unknown.status).toBe(400);
      expect(unknown.body.field).toBe('model');
      const started = await c.rest<{ run_id: string }>('POST', '/api/runs', config());
      expect(started.status).toBe(201);
      const run = started.body.run_id;
      const versions = (await c.rest<{ versions: { run_id: string; round: number; model_hash: string; bytes: number }[] }>('GET', `/api/models?run=${run}`)).body.versions;
      expect(versions).toEqual([expect.objectContaining({ run_id: run, round: 0, bytes: 4 * 5 })]);
      const mj = (await c.rest<{ modelHash: string; weightsManifest: { weights: { name: string }[] }[] }>('GET', `/api/models/${run}/0/model.json`)).body;
      expect(mj.modelHash).toBe(versions[0].model_hash);
      expect(mj.weightsManifest[0].weights.map((w) => w.name)).toEqual(['dense/bias', 'dense/kernel']);
      // no site is connected: the run waits, it does not fail
      const view = (await c.rest<{ status: string; rounds: unknown[] }>('GET', `/api/runs/${run}`)).body;
      expect(view.status).toBe('running');
      expect(view.rounds).toEqual([]);
      expect((await c.rest('POST', `/api/runs/${run}/control`, { action: 'pause' })).body).toEqual({ run_id: run, status: 'paused' });
      expect((await c.rest('POST', `/api/runs/${run}/control`, { action: 'resume' })).body).toEqual({ run_id: run, status: 'running' });
      expect((await c.rest('POST', `/api/runs/${run}/control`, { action: 'stop' })).body).toEqual({ run_id: run, status: 'stopped' });
      expect((await c.rest('POST', `/api/runs/${run}/control`, { action: 'resume' })).status).toBe(409);
      expect((await c.rest('POST', `/api/runs/${run}/control`, { action: 'jump' })).body).toMatchObject({ code: 'bad_message', field: 'action' });
    });
  });
}

restSuite('sqlite', async () => ({ c: await testCoordinator() }));
if (HAVE_POSTGRES)
  restSuite('postgres', async () => {
    const s = await freshPostgresSchema();
    return { c: await testCoordinator({ databaseUrl: s.url }), drop: s.drop };
  });
else describe.skip('REST admin and enrollment (postgres): DATABASE_URL not set', () => it('skipped', () => undefined));

describe('start-up failures', () => {
  it('an unreachable PostgreSQL is reported with its location, and the process is not aborted', async () => {
    await expect(testCoordinator({ databaseUrl: 'postgres://unbox:secret@127.0.0.1:1/unbox' })).rejects.toThrow(/postgres database at postgres:\/\/unbox:\*\*\*@127\.0\.0\.1:1\/unbox: .*ECONNREFUSED/);
  });
});
