import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type OpenedDatabase } from './connect.js';
import { Store, StoreConflict } from './store.js';
import { freshPostgresSchema, HAVE_POSTGRES, tempDir } from '../testing/databases.js';

interface Backend {
  name: string;
  open(): Promise<OpenedDatabase>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const t = tempDir();
  return { name: 'sqlite', open: () => openDatabase({ sqlitePath: join(t.dir, 'coordinator.db') }), cleanup: async () => t.cleanup() };
}

function postgresBackend(): Backend {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>> | undefined;
  return {
    name: 'postgres',
    async open() {
      schema ??= await freshPostgresSchema();
      return openDatabase({ url: schema.url, sqlitePath: 'unused' });
    },
    cleanup: async () => schema?.drop(),
  };
}

const backends: [string, () => Backend, boolean][] = [
  ['sqlite', sqliteBackend, true],
  ['postgres', postgresBackend, HAVE_POSTGRES],
];

for (const [name, make, enabled] of backends) {
  describe.skipIf(!enabled)(`store on ${name}`, () => {
    const backend = make();
    let opened: OpenedDatabase;
    let store: Store;
    beforeAll(async () => {
      opened = await backend.open();
      store = new Store(opened.db);
    });
    afterAll(async () => {
      await opened?.close();
      await backend.cleanup();
    });

    it('opens with the right dialect and migrations are idempotent', async () => {
      expect(opened.dialect).toBe(name);
      const again = await backend.open();
      await again.close();
    });

    it('enrolls a site once with its token, refuses reuse, revokes', async () => {
      await store.addSite({ id: 'site-a', name: 'Centre A', tokenHash: 'h1', tokenExpiresAt: 2_000_000_000_000, now: 1_700_000_000_000 });
      const pending = await store.site('site-a');
      expect(pending).toMatchObject({ status: 'pending', token_hash: 'h1', token_expires_at: 2_000_000_000_000, created_at: 1_700_000_000_000 });
      expect(typeof pending!.created_at).toBe('number');
      expect((await store.siteByTokenHash('h1'))?.id).toBe('site-a');
      expect(await store.enrollSite('site-a', 'wrong', 'KEY', 1)).toBe(false);
      expect(await store.enrollSite('site-a', 'h1', 'KEY', 1_700_000_000_500)).toBe(true);
      expect(await store.enrollSite('site-a', 'h1', 'KEY2', 2)).toBe(false);
      expect(await store.site('site-a')).toMatchObject({ status: 'enrolled', public_key: 'KEY', token_hash: null, enrolled_at: 1_700_000_000_500 });
      await expect(store.addSite({ id: 'site-a', tokenHash: 'h2', tokenExpiresAt: 1, now: 1 })).rejects.toBeInstanceOf(StoreConflict);
      expect(await store.revokeSite('site-a', 'stolen laptop', 5)).toBe(true);
      expect(await store.revokeSite('site-a', 'again', 6)).toBe(false);
      expect(await store.site('site-a')).toMatchObject({ status: 'revoked', revoked_at: 5, revoke_reason: 'stolen laptop' });
      await store.addSite({ id: 'site-b', tokenHash: 'hb', tokenExpiresAt: 10, now: 2 });
      await store.addSite({ id: 'site-b', tokenHash: 'hb2', tokenExpiresAt: 20, now: 3 });
      expect((await store.site('site-b'))?.token_hash).toBe('hb2');
      expect((await store.listSites()).map((s) => s.id)).toEqual(['site-a', 'site-b']);
    });

    it('keeps rounds, attempts, cohorts, dropouts, metrics and model versions', async () => {
      const cfg = { version: 1, rounds: 3, nested: { a: [1, 2] } };
      await store.createRun({ id: 'run-1', name: 'demo', config: cfg, strategy: 'fedavg', now: 100 });
      expect(JSON.parse((await store.run('run-1'))!.config)).toEqual(cfg);
      await store.setInitialModel('run-1', { model_hash: 'a'.repeat(64), strategy: 'fedavg', path: '/x/0', bytes: 4096, created_at: 100 }, 100);
      expect((await store.run('run-1'))?.model_hash).toBe('a'.repeat(64));

      const a1 = await store.beginRound({ run: 'run-1', round: 1, secure: true, modelHashIn: 'a'.repeat(64), now: 110 });
      expect(a1).toBe(1);
      await store.setCohort('run-1', 1, a1, 'fit', ['s2', 's1', 's3']);
      // a crash here: the next start of round 1 is attempt 2 and attempt 1 is marked interrupted
      const a2 = await store.beginRound({ run: 'run-1', round: 1, secure: true, modelHashIn: 'a'.repeat(64), now: 120 });
      expect(a2).toBe(2);
      await store.setCohort('run-1', 1, a2, 'fit', ['s1', 's2', 's3']);
      await store.setCohort('run-1', 1, a2, 'fit', ['s1']); // repeated: no error, no duplicate
      await store.addDropout('run-1', 1, a2, { site: 's3', stage: 'masked_input', reason: 'disconnected', at: 130 });
      await store.addDropout('run-1', 1, a2, { site: 's3', stage: 'unmasking', reason: 'again', at: 131 });
      await store.putMetrics({ run: 'run-1', round: 1, site: 's1', kind: 'fit', numExamples: 10, value: { train_loss: 0.5 }, now: 135 });
      await store.putMetrics({ run: 'run-1', round: 1, site: 's1', kind: 'fit', numExamples: 12, value: { train_loss: 0.25 }, now: 136 });
      await store.endRound({
        run: 'run-1', round: 1, attempt: a2, status: 'done', modelHashOut: 'b'.repeat(64), now: 140,
        version: { model_hash: 'b'.repeat(64), strategy: 'fedavg', path: '/x/1', bytes: 4096, created_at: 140 },
      });

      const rounds = await store.rounds('run-1');
      expect(rounds.map((r) => [r.attempt, r.status])).toEqual([[1, 'interrupted'], [2, 'done']]);
      expect(rounds[1]).toMatchObject({ secure: 1, model_hash_out: 'b'.repeat(64), ended_at: 140 });
      expect((await store.round('run-1', 1, 0))?.attempt).toBe(2); // 0: the latest attempt
      expect((await store.round('run-1', 1, 1))?.status).toBe('interrupted');
      expect(await store.round('run-1', 2, 0)).toBeUndefined();
      expect(await store.cohort('run-1', 1, a2, 'fit')).toEqual(['s1', 's2', 's3']);
      expect(await store.dropouts('run-1', 1, a2)).toEqual([{ site: 's3', stage: 'masked_input', reason: 'disconnected', at: 130 }]);
      // the whole run in two queries, grouped by attempt; or one attempt; an attempt with none: empty
      for (const d of [await store.roundDetails('run-1'), await store.roundDetails('run-1', { round: 1, attempt: a2 })]) {
        expect(d.cohort(1, a2, 'fit')).toEqual(['s1', 's2', 's3']);
        expect(d.cohort(1, a2, 'evaluate')).toEqual([]);
        expect(d.dropouts(1, a2)).toEqual([{ site: 's3', stage: 'masked_input', reason: 'disconnected', at: 130 }]);
        expect(d.dropouts(2, 1)).toEqual([]);
      }
      expect((await store.roundDetails('run-1')).cohort(1, a1, 'fit')).toEqual(['s1', 's2', 's3']);
      expect((await store.roundDetails('run-1', { round: 1, attempt: a2 })).cohort(1, a1, 'fit')).toEqual([]);
      expect(await store.metrics('run-1', 1)).toEqual([{ round: 1, site: 's1', kind: 'fit', numExamples: 12, value: { train_loss: 0.25 } }]);
      expect(await store.run('run-1')).toMatchObject({ completed_rounds: 1, model_hash: 'b'.repeat(64), status: 'running' });
      expect((await store.modelVersions('run-1')).map((v) => [v.round, v.model_hash[0], v.bytes])).toEqual([[0, 'a', 4096], [1, 'b', 4096]]);
      expect((await store.latestModelVersion('run-1'))?.round).toBe(1);
      expect((await store.activeRuns()).map((r) => r.id)).toEqual(['run-1']);
      await store.setRunStatus('run-1', 'done', 200);
      expect(await store.activeRuns()).toEqual([]);
    });

    it('a failed round neither stores a version nor advances the run', async () => {
      await store.createRun({ id: 'run-2', name: null, config: {}, strategy: 'fedadam', now: 1 });
      const a = await store.beginRound({ run: 'run-2', round: 1, secure: true, modelHashIn: 'c'.repeat(64), now: 2 });
      await store.endRound({ run: 'run-2', round: 1, attempt: a, status: 'failed', failure: 'below threshold', now: 3 });
      expect(await store.run('run-2')).toMatchObject({ completed_rounds: 0, model_hash: null });
      expect(await store.modelVersions('run-2')).toEqual([]);
      // a duplicate version for a stored round is refused: no completed round is overwritten
      await store.addModelVersion({ run_id: 'run-2', round: 0, model_hash: 'c'.repeat(64), strategy: 'fedadam', path: '/p', bytes: 1, created_at: 1 });
      await expect(store.addModelVersion({ run_id: 'run-2', round: 0, model_hash: 'd'.repeat(64), strategy: 'fedadam', path: '/q', bytes: 1, created_at: 2 })).rejects.toThrow();
      expect((await store.modelVersion('run-2', 0))?.model_hash).toBe('c'.repeat(64));
    });
  });
}

describe('sqlite file', () => {
  it('keeps what was stored across a reopen, in an owner-only folder and file', async () => {
    const t = tempDir();
    const path = join(t.dir, 'sub', 'c.db');
    const a = await openDatabase({ sqlitePath: path });
    expect(statSync(join(t.dir, 'sub')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await new Store(a.db).addSite({ id: 's', tokenHash: 'h', tokenExpiresAt: 9, now: 1 });
    await a.close();
    const b = await openDatabase({ sqlitePath: path });
    expect((await new Store(b.db).site('s'))?.token_hash).toBe('h');
    await b.close();
    t.cleanup();
  });

  it('tells change listeners after a committed write; a throwing listener gets its own error back and stops nobody', async () => {
    const d = await openDatabase({ sqlitePath: ':memory:' });
    const store = new Store(d.db);
    const errors: string[] = [];
    const seen: unknown[] = [];
    const off = store.onChange(() => {
      throw new Error('listener broke');
    }, (e, c) => errors.push(`${(e as Error).message} on ${c.run}`));
    store.onChange((c) => seen.push(c), () => undefined);
    await store.createRun({ id: 'r1', name: null, config: {}, strategy: 'fedavg', now: 1 });
    expect(await store.run('r1')).toBeDefined();
    expect(errors).toEqual(['listener broke on r1']);
    expect(seen).toEqual([{ run: 'r1' }]);
    off();
    await store.createRun({ id: 'r2', name: null, config: {}, strategy: 'fedavg', now: 2 });
    expect(errors).toHaveLength(1);
    expect(seen).toHaveLength(2);
    await d.close();
  });

  it('refuses a DATABASE_URL that is not postgres', async () => {
    await expect(openDatabase({ url: 'mysql://x', sqlitePath: ':memory:' })).rejects.toThrow(/DATABASE_URL: expected a postgres:\/\/ URL/);
  });
});
