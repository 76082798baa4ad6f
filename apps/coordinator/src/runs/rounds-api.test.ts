import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsortiumTsne, RoundList } from '@unbox/protocol';
import { Store } from '../db/store.js';
import { testCoordinator, type TestCoordinator } from '../testing/coordinator.js';

const hash = (c: string) => c.repeat(64);
const tsne = {
  run_id: 'run-x', round: 1, points: [{ x: 0.5, y: -1, centre: 'A', label: 'positive' }, { x: 2, y: 1, centre: 'B', label: 'negative' }],
  kl: 0.4, trustworthiness: 0.93, trustworthiness_k: 5, perplexity: 30, n: 2, dim: 64, noise_sigma: 0, noise_sigma_by_centre: { A: 0, B: 0 },
  unit: 'patient', method: 'exact', n_iter: 1000,
  centre_separation: { embedding: { silhouette: 0.3, knn_agreement: 0.8, knn_chance: 0.5, k: 1 }, features: { silhouette: 0.2, knn_agreement: 0.7, knn_chance: 0.5, k: 1 } },
  seconds: 0.7, created_at: 9500,
};
const splits = (auc: number) => ({ test: { centre: 'A', patient: { n: 10, acc: 0.8, precision: 0.8, sensitivity: 0.7, specificity: 0.9, auc, roc: [[0, 0], [0.2, 0.7], [1, 1]], pr: [[0, 1], [1, 0.5]] } } });

describe('GET /api/runs/:id/rounds and /rounds/:n/tsne', () => {
  let c: TestCoordinator;
  beforeAll(async () => {
    c = await testCoordinator();
    const s = new Store(c.database.db);
    await s.createRun({ id: 'run-x', name: null, config: { rounds: 3 }, strategy: 'fedavg', now: 1 });
    // round 1: an interrupted attempt, then a done one with a dropout at masked_input
    const a1 = await s.beginRound({ run: 'run-x', round: 1, secure: true, modelHashIn: hash('a'), now: 1000 });
    const a2 = await s.beginRound({ run: 'run-x', round: 1, secure: true, modelHashIn: hash('a'), now: 5000 });
    expect([a1, a2]).toEqual([1, 2]);
    await s.setCohort('run-x', 1, 2, 'fit', ['A', 'B', 'C']);
    await s.addDropout('run-x', 1, 2, { site: 'C', stage: 'masked_input', reason: 'disconnected', at: 6000 });
    await s.putMetrics({ run: 'run-x', round: 1, site: 'A', kind: 'evaluate', numExamples: 10, value: { evaluation: { task: 'classify', backend: 'wasm', splits: splits(0.75) } }, now: 7000 });
    await s.putMetrics({ run: 'run-x', round: 1, site: 'A', kind: 'fit', numExamples: 10, value: { train_loss: 0.5 }, now: 7000 });
    await s.endRound({ run: 'run-x', round: 1, attempt: 2, status: 'done', modelHashOut: hash('b'), now: 9000 });
    // round 2: still running
    await s.beginRound({ run: 'run-x', round: 2, secure: true, modelHashIn: hash('b'), now: 10_000 });
    await s.putRoundTsne('run-x', 1, tsne, 9500);
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('lists every round by its last attempt: cohort, dropouts with stage, timing, per-centre metrics with curves', async () => {
    const r = await c.rest<unknown>('GET', '/api/runs/run-x/rounds');
    expect(r.status).toBe(200);
    const list = RoundList.parse(r.body);
    expect(list.rounds.map((x) => [x.round, x.attempt, x.attempts, x.status])).toEqual([[1, 2, 2, 'done'], [2, 1, 1, 'running']]);
    const [one, two] = list.rounds;
    expect(one).toMatchObject({ cohort: ['A', 'B', 'C'], started_at: 5000, ended_at: 9000, wall_ms: 4000, model_hash: hash('b'), tsne: true });
    expect(one.dropouts).toEqual([{ site: 'C', stage: 'masked_input', reason: 'disconnected' }]);
    expect(one.metrics.A.test?.patient?.auc).toBe(0.75);
    expect(one.metrics.A.test?.patient?.roc).toEqual([[0, 0], [0.2, 0.7], [1, 1]]);
    expect(Object.keys(one.metrics)).toEqual(['A']);
    expect(two).toMatchObject({ ended_at: null, wall_ms: null, tsne: false, cohort: [] });
  });

  it('serves a stored t-SNE, 404 for a round without one and for an unknown run, 400 for a non-numeric round', async () => {
    const ok = await c.rest<unknown>('GET', '/api/runs/run-x/rounds/1/tsne');
    expect(ok.status).toBe(200);
    expect(ConsortiumTsne.parse(ok.body).points).toHaveLength(2);
    const none = await c.rest<{ code: string; message: string }>('GET', '/api/runs/run-x/rounds/2/tsne');
    expect(none.status).toBe(404);
    expect(none.body.message).toMatch(/no consortium t-SNE for round 2/);
    expect((await c.rest('GET', '/api/runs/nope/rounds/1/tsne')).status).toBe(404);
    expect((await c.rest('GET', '/api/runs/nope/rounds')).status).toBe(404);
    expect((await c.rest('GET', '/api/runs/run-x/rounds/one/tsne')).status).toBe(400);
  });

  it('refuses both routes without the admin token', async () => {
    expect((await c.rest('GET', '/api/runs/run-x/rounds', undefined, null)).status).toBe(401);
    expect((await c.rest('GET', '/api/runs/run-x/rounds/1/tsne', undefined, 'wrong')).status).toBe(401);
  });
});
