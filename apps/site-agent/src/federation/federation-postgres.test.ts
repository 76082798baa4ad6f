/**
 * A secure round with the coordinator on PostgreSQL (DATABASE_URL; started in CI by
 * .ci/postgres.sh). Site and run ids are fresh per test run, so the shared test database may hold
 * earlier runs. Under CI=true a missing DATABASE_URL fails instead of skipping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCoordinator, waitFor, type CoordinatorProcess } from './testing/coordinator-process.js';
import { enrollSim, type SimSite } from './testing/sites.js';

const URL_ = process.env.DATABASE_URL?.trim() || undefined;
if ((process.env.CI === 'true' || process.env.CI === '1') && !URL_)
  throw new Error('CI=true but DATABASE_URL is not set: start PostgreSQL with `eval "$(.ci/postgres.sh start)"` before these tests');

describe.skipIf(!URL_)('federation with the coordinator on PostgreSQL', () => {
  let c: CoordinatorProcess;
  const sites: SimSite[] = [];
  beforeAll(async () => {
    c = await startCoordinator(mkdtempSync(join(tmpdir(), 'unbox-coord-pg-')), { env: { DATABASE_URL: URL_ } });
  }, 120_000);
  afterAll(async () => {
    for (const s of sites) s.agent?.stop();
    await c?.stop();
  }, 60_000);

  it('completes a secure round and keeps rounds, cohort, metrics and versions in PostgreSQL', async () => {
    expect(c.log.join('\n')).toMatch(/database: postgres postgres:\/\//);
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < 3; i++) sites.push(await enrollSim(c, `pg-${tag}-${i}`, 400 + i, 6));
    for (const s of sites) await s.connect();
    const cfg = { version: 1, task: 'classify', model: 'logreg:6', rounds: 1, strategy: { name: 'fedadam' }, cohort: { min_sites: 3, threshold: 3 }, train: { batch_size: 16, lr: 0.1 } };
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', cfg);
    const view = await waitFor(async () => {
      const v = (await c.admin<{ status: string; rounds: { status: string; cohort: string[]; secure: boolean }[] }>('GET', `/api/runs/${body.run_id}`)).body;
      return v.status === 'done' ? v : undefined;
    }, 'run on PostgreSQL', 120_000);
    expect(view.rounds).toEqual([expect.objectContaining({ status: 'done', secure: true, cohort: sites.map((s) => s.id).sort() })]);
    const versions = (await c.admin<{ versions: { round: number; strategy: string }[] }>('GET', `/api/models?run=${body.run_id}`)).body.versions;
    expect(versions.map((v) => [v.round, v.strategy])).toEqual([[0, 'fedadam'], [1, 'fedadam']]);
    const metrics = (await c.admin<{ metrics: { kind: string }[] }>('GET', `/api/runs/${body.run_id}/metrics`)).body.metrics;
    expect(metrics.filter((m) => m.kind === 'fit')).toHaveLength(3);
    expect(metrics.filter((m) => m.kind === 'evaluate')).toHaveLength(3);
  }, 180_000);
});
