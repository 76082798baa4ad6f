/**
 * Federation end to end on loopback: a real coordinator process (NestJS, SQLite), sites enrolled
 * through the REST API, site agents over socket.io running secure aggregation, local training with
 * the logistic trainer. The stored global model of each round is checked against the plaintext
 * FedAvg of exactly the sites whose updates the protocol included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tensor } from '@unbox/fl';
import { startCoordinator, waitFor, type CoordinatorProcess } from './testing/coordinator-process.js';
import { enrollSim, type SimSite } from './testing/sites.js';
import { OwnValueTrainer, RecordingTrainer, SlowTrainer } from './testing/recording-trainer.js';
import type { SecAggStage } from './agent.js';

const D = 8;

function runConfig(rounds: number, minSites: number, threshold: number, extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    task: 'classify',
    model: `logreg:${D}`,
    rounds,
    seed: 7,
    strategy: { name: 'fedavg' },
    cohort: { min_sites: minSites, threshold, configure_timeout_s: 20, fit_timeout_s: 30, aggregate_timeout_s: 60, evaluate_timeout_s: 20 },
    train: { local_epochs: 2, batch_size: 16, lr: 0.2 },
    ...extra,
  };
}

async function modelOf(c: CoordinatorProcess, run: string, round: number): Promise<Tensor[]> {
  const manifest = (await c.admin<{ weightsManifest: { weights: { name: string; shape: number[] }[] }[] }>('GET', `/api/models/${run}/${round}/model.json`)).body;
  const res = await fetch(`${c.url}/api/models/${run}/${round}/weights.bin`, { headers: { authorization: `Bearer ${c.adminToken}` } });
  const buf = new Uint8Array(await res.arrayBuffer());
  const dv = new DataView(buf.buffer);
  let off = 0;
  return manifest.weightsManifest[0].weights.map((w) => {
    const n = w.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = dv.getFloat32(off + 4 * i, true);
    off += 4 * n;
    return { name: w.name, shape: w.shape, data };
  });
}

/** Σ n_k·w_k / Σ n_k over the given sites' recorded fits of a round. */
function plainFedAvg(trainers: Map<string, RecordingTrainer>, sites: string[], round: number): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  let total = 0;
  for (const s of sites) {
    const f = trainers.get(s)!.fits.get(round)!;
    total += f.out.numExamples;
    for (const t of f.out.parameters) {
      const acc = out.get(t.name) ?? new Float64Array(t.data.length);
      for (let i = 0; i < t.data.length; i++) acc[i] += f.out.numExamples * t.data[i];
      out.set(t.name, acc);
    }
  }
  for (const acc of out.values()) for (let i = 0; i < acc.length; i++) acc[i] /= total;
  return out;
}

function maxDiff(model: Tensor[], expected: Map<string, Float64Array>): number {
  let m = 0;
  for (const t of model) for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i] - expected.get(t.name)![i]));
  return m;
}

interface RunView {
  status: string;
  completed_rounds: number;
  rounds: { round: number; attempt: number; status: string; cohort: string[]; dropouts: { site: string; stage: string; reason: string }[] }[];
}

describe('federation over socket.io', () => {
  let c: CoordinatorProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'unbox-coord-e2e-'));
  beforeAll(async () => {
    c = await startCoordinator(dataDir);
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  }, 180_000);

  it('a site killed at each secure-aggregation stage: the round completes with the rest and equals their plaintext FedAvg', async () => {
    const stages: SecAggStage[] = ['advertise-keys', 'share-keys', 'masked-input', 'consistency-check', 'unmasking'];
    const trainers = new Map<string, RecordingTrainer>();
    const stable: SimSite[] = [];
    for (let i = 0; i < 3; i++) stable.push(await enrollSim(c, `keep-${i}`, i, D));
    const victims: SimSite[] = [];
    for (let i = 0; i < stages.length; i++) victims.push(await enrollSim(c, `victim-${i}`, 10 + i, D));
    for (const s of [...stable, ...victims]) trainers.set(s.id, new RecordingTrainer(s.trainer));
    for (const s of stable) await s.connect({ trainer: trainers.get(s.id)! });

    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(stages.length, 4, 3));
    const run = body.run_id;
    for (let r = 1; r <= stages.length; r++) {
      const v = victims[r - 1];
      await v.connect({ trainer: trainers.get(v.id)!, crashAt: stages[r - 1] });
      await waitFor(async () => ((await c.admin<RunView>('GET', `/api/runs/${run}`)).body.completed_rounds >= r ? true : undefined), `round ${r}`, 60_000);
    }
    const view = (await c.admin<RunView>('GET', `/api/runs/${run}`)).body;
    await waitFor(async () => ((await c.admin<RunView>('GET', `/api/runs/${run}`)).body.status === 'done' ? true : undefined), 'run done');
    for (let r = 1; r <= stages.length; r++) {
      const done = view.rounds.filter((x) => x.round === r && x.status === 'done');
      expect(done).toHaveLength(1);
      const victim = `victim-${r - 1}`;
      expect(done[0].cohort).toContain(victim);
      const wire = stages[r - 1].replace(/-/g, '_');
      expect(done[0].dropouts.find((d) => d.site === victim)?.stage).toBe(wire);
      // dropped before its masked input was collected: left out; from the consistency check on, its
      // masked input is in U3 and the survivors' shares of its self mask put its update in the sum
      const inU3 = stages[r - 1] === 'consistency-check' || stages[r - 1] === 'unmasking';
      const included = ['keep-0', 'keep-1', 'keep-2', ...(inU3 ? [victim] : [])];
      const expected = plainFedAvg(trainers, included, r);
      const stored = await modelOf(c, run, r);
      // quantisation: ≤ k·2^−f / Σn per coordinate (f = 10 bits for these parameters), plus float32 rounding
      expect(maxDiff(stored, expected)).toBeLessThan(1e-3);
      // and it is not the average of a different set of sites
      const withVictim = plainFedAvg(trainers, inU3 ? ['keep-0', 'keep-1', 'keep-2'] : [...included, victim], r);
      expect(maxDiff(stored, withVictim)).toBeGreaterThan(1e-3);
    }
    for (const s of [...stable, ...victims]) s.agent?.stop();
  }, 180_000);

  it('plaintext aggregation only with the explicit debug flag, logged, and equal to FedAvg of the uploads', async () => {
    const sites: SimSite[] = [];
    for (let i = 0; i < 3; i++) sites.push(await enrollSim(c, `plain-${i}`, 300 + i, D));
    const trainers = new Map(sites.map((s) => [s.id, new RecordingTrainer(s.trainer)]));
    for (const s of sites) await s.connect({ trainer: trainers.get(s.id)! });
    const refused = await c.admin<{ field: string }>('POST', '/api/runs', runConfig(1, 3, 3, { secure_aggregation: false }));
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('secure_aggregation');
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(1, 3, 3, { secure_aggregation: false, debug_plaintext: true }));
    await waitFor(async () => ((await c.admin<RunView>('GET', `/api/runs/${body.run_id}`)).body.status === 'done' ? true : undefined), 'plaintext run');
    // no quantisation here: float32 storage is the only rounding
    expect(maxDiff(await modelOf(c, body.run_id, 1), plainFedAvg(trainers, sites.map((s) => s.id), 1))).toBeLessThan(1e-6);
    expect(c.log.some((l) => l.includes(`run ${body.run_id} round 1: PLAINTEXT aggregation`))).toBe(true);
    for (const s of sites) {
      expect(s.agent!.sentKinds.has('secagg')).toBe(false);
      s.agent?.stop();
    }
  }, 180_000);

  it('per-round timeouts: a site that never finishes training is dropped at fit and the round goes on', async () => {
    const sites: SimSite[] = [];
    for (let i = 0; i < 4; i++) sites.push(await enrollSim(c, `slow-${i}`, 500 + i, D));
    const trainers = new Map(sites.map((s) => [s.id, new RecordingTrainer(s.trainer)]));
    for (const s of sites.slice(0, 3)) await s.connect({ trainer: trainers.get(s.id)! });
    // hangs for far longer than the round's fit timeout
    await sites[3].connect({ trainer: new SlowTrainer(trainers.get(sites[3].id)!, 60_000) });
    const cfg = runConfig(1, 4, 3);
    cfg.cohort = { ...cfg.cohort, fit_timeout_s: 1.5 };
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', cfg);
    const view = await waitFor(async () => {
      const v = (await c.admin<RunView>('GET', `/api/runs/${body.run_id}`)).body;
      return v.status === 'done' ? v : undefined;
    }, 'run with a hanging site', 60_000);
    const done = view.rounds.find((r) => r.status === 'done')!;
    expect(done.dropouts).toEqual([expect.objectContaining({ site: 'slow-3', stage: 'fit', reason: 'timeout' })]);
    expect(maxDiff(await modelOf(c, body.run_id, 1), plainFedAvg(trainers, ['slow-0', 'slow-1', 'slow-2'], 1))).toBeLessThan(1e-3);
    for (const s of sites) s.agent?.stop();
  }, 180_000);

  it('20 simulated sites complete rounds of a small model (secure aggregation, federated evaluation)', async () => {
    const sites: SimSite[] = [];
    for (let i = 0; i < 20; i++) sites.push(await enrollSim(c, `many-${String(i).padStart(2, '0')}`, 100 + i, D, 40));
    const trainers = new Map(sites.map((s) => [s.id, new RecordingTrainer(s.trainer)]));
    await Promise.all(sites.map((s) => s.connect({ trainer: trainers.get(s.id)! })));
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(2, 20, 14, { name: 'twenty' }));
    const run = body.run_id;
    const view = await waitFor(async () => {
      const v = (await c.admin<RunView>('GET', `/api/runs/${run}`)).body;
      return v.status === 'done' ? v : undefined;
    }, 'run of 20 sites', 90_000);
    const done = view.rounds.filter((r) => r.status === 'done');
    expect(done.map((r) => r.round)).toEqual([1, 2]);
    for (const r of done) {
      expect(r.cohort).toHaveLength(20);
      expect(r.dropouts).toEqual([]);
      expect(maxDiff(await modelOf(c, run, r.round), plainFedAvg(trainers, sites.map((s) => s.id), r.round))).toBeLessThan(1e-3);
    }
    const metrics = (await c.admin<{ metrics: { round: number; site: string; kind: string; value: { evaluation?: { splits: { test?: { image?: { auc: number | null } } } } } }[] }>('GET', `/api/runs/${run}/metrics`)).body.metrics;
    const evals = metrics.filter((m) => m.kind === 'evaluate' && m.round === 2);
    expect(evals).toHaveLength(20);
    // two Gaussian classes 3 standard deviations apart (Bayes AUC ≈ 0.98): after two rounds the
    // federated model ranks the centres' test cases well (30 cases each, so single centres vary)
    const aucs = evals.map((e) => e.value.evaluation!.splits.test!.image!.auc!);
    expect(aucs.reduce((a, b) => a + b, 0) / aucs.length).toBeGreaterThan(0.85);
    expect(Math.min(...aucs)).toBeGreaterThan(0.6);
    // runs/<run-id>/summary.json in the result-formats shape
    const summary = JSON.parse(readFileSync(join(c.dataDir, 'runs', run, 'summary.json'), 'utf8')) as { run: string; secure_aggregation: boolean; backend: string; rounds: { round: number; cohort: string[]; dropped: unknown[]; status: string; metrics: Record<string, { test?: { image?: { auc: number } } }> }[] };
    expect(summary).toMatchObject({ run, secure_aggregation: true, backend: 'ts-cpu' });
    expect(summary.rounds.map((r) => [r.round, r.status, r.cohort.length, r.dropped.length, Object.keys(r.metrics).length])).toEqual([[1, 'done', 20, 0, 20], [2, 'done', 20, 0, 20]]);
    expect(summary.rounds[1].metrics['many-00'].test!.image!.auc).toBe(evals.find((e) => e.site === 'many-00')!.value.evaluation!.splits.test!.image!.auc);
    // nothing but protocol messages left the sites: no event carries data of their own
    for (const s of sites) for (const k of s.agent!.sentKinds) expect(['auth.hello', 'auth.response', 'round.ready', 'fit.result', 'secagg', 'evaluate.result', 'heartbeat']).toContain(k);
    for (const s of sites) s.agent?.stop();
  }, 180_000);

  it('SiloBN: every site trains and evaluates with its own kept tensors; the global model carries their secure average', async () => {
    const sites: SimSite[] = [];
    for (let i = 0; i < 3; i++) sites.push(await enrollSim(c, `silo-${i}`, 700 + i, D));
    // the bias stands in for batch-norm statistics: each site's own value after every fit
    // (within secure aggregation's clip of ±2 per delta coordinate)
    const own = new Map(sites.map((s, i) => [s.id, new OwnValueTrainer(s.trainer, /bias$/, 0.5 * (i + 1))]));
    for (const s of sites) await s.connect({ trainer: own.get(s.id)! });
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(2, 3, 3, { strategy: { name: 'silobn', local_patterns: ['bias$'] } }));
    const run = body.run_id;
    await waitFor(async () => ((await c.admin<RunView>('GET', `/api/runs/${run}`)).body.status === 'done' ? true : undefined), 'SiloBN run', 60_000);
    const round1 = await modelOf(c, run, 1);
    const n = sites.map((s) => own.get(s.id)!.outs.get(1)!.numExamples);
    const total = n.reduce((a, b) => a + b, 0);
    // Σ n_k·b_k / Σ n_k of the sites' own values (0.5, 1, 1.5)
    const meanBias = sites.reduce((a, s, i) => a + n[i] * own.get(s.id)!.value, 0) / total;
    expect(round1.find((t) => t.name === 'dense/bias')!.data[0]).toBeCloseTo(meanBias, 2);
    for (const s of sites) {
      const t = own.get(s.id)!;
      const second = t.fitModels.get(2)!;
      // round 2 starts from the global kernel but the site's own bias, not the average
      expect(Array.from(second.find((x) => x.name === 'dense/bias')!.data)).toEqual([t.value]);
      expect(Array.from(second.find((x) => x.name === 'dense/kernel')!.data)).toEqual(Array.from(round1.find((x) => x.name === 'dense/kernel')!.data));
      expect(t.evaluated.length).toBe(2);
      for (const m of t.evaluated) expect(Array.from(m.find((x) => x.name === 'dense/bias')!.data)).toEqual([t.value]);
      s.agent?.stop();
    }

    // restarted, a site starts the next run from its own saved tensors, not from its initial ones;
    // a damaged save is set aside with a warning and the site starts from its initial ones
    const zeros = round1.map((x) => ({ ...x, data: new Float32Array(x.data.length) }));
    writeFileSync(join(sites[1].dir, 'local-model.bin'), new Uint8Array(8));
    const warnings: string[] = [];
    const again = new Map(sites.map((s, i) => [s.id, new OwnValueTrainer(s.trainer, /bias$/, 0.5 * (i + 1), zeros)]));
    for (const s of sites) await s.connect({ trainer: again.get(s.id)!, on: { log: (level, line) => { if (level === 'warn') warnings.push(line); } } });
    const next = (await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(1, 3, 3, { strategy: { name: 'silobn', local_patterns: ['bias$'] } }))).body.run_id;
    await waitFor(async () => ((await c.admin<RunView>('GET', `/api/runs/${next}`)).body.status === 'done' ? true : undefined), 'SiloBN run after a restart', 60_000);
    const bias = (s: SimSite) => Array.from(again.get(s.id)!.fitModels.get(1)!.find((x) => x.name === 'dense/bias')!.data);
    expect(bias(sites[0])).toEqual([0.5]);
    expect(bias(sites[2])).toEqual([1.5]);
    expect(bias(sites[1])).toEqual([0]);
    expect(warnings.some((w) => w.includes("silo-1: the site's own tensors were not restored") && w.includes('local-model'))).toBe(true);
    for (const s of sites) s.agent?.stop();
  }, 180_000);
});

describe('coordinator restart', () => {
  it('killed mid-round (SIGKILL), restarted on the same folder: the run resumes, the round is redone, nothing stored is lost', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'unbox-coord-restart-'));
    let c = await startCoordinator(dataDir);
    const port = Number(new URL(c.url).port);
    const sites: SimSite[] = [];
    for (let i = 0; i < 3; i++) sites.push(await enrollSim(c, `r-${i}`, 200 + i, D));
    // slow training keeps round 2 open long enough to kill the coordinator inside it
    const slow = new Map(sites.map((s) => [s.id, new SlowTrainer(new RecordingTrainer(s.trainer), 400)]));
    for (const s of sites) await s.connect({ trainer: slow.get(s.id)! });
    const { body } = await c.admin<{ run_id: string }>('POST', '/api/runs', runConfig(3, 3, 2));
    const run = body.run_id;
    await waitFor(async () => {
      const v = (await c.admin<RunView>('GET', `/api/runs/${run}`)).body;
      return v.rounds.some((r) => r.round === 2 && r.status === 'running') ? true : undefined;
    }, 'round 2 running', 60_000, 20);
    const before = (await c.admin<{ versions: { round: number; model_hash: string }[] }>('GET', `/api/models?run=${run}`)).body.versions;
    expect(before.map((v) => v.round)).toEqual([0, 1]);
    await c.kill();
    c = await startCoordinator(dataDir, { port });
    try {
      const view = await waitFor(async () => {
        const v = (await c.admin<RunView>('GET', `/api/runs/${run}`)).body;
        return v.status === 'done' ? v : undefined;
      }, 'run done after restart', 90_000);
      const r2 = view.rounds.filter((r) => r.round === 2);
      expect(r2.map((r) => r.status)).toEqual(['interrupted', 'done']);
      expect(r2.map((r) => r.attempt)).toEqual([1, 2]);
      const after = (await c.admin<{ versions: { round: number; model_hash: string }[] }>('GET', `/api/models?run=${run}`)).body.versions;
      expect(after.map((v) => v.round)).toEqual([0, 1, 2, 3]);
      // versions stored before the crash are unchanged
      expect(after.slice(0, 2)).toEqual(before);
      expect(c.log.some((l) => l.includes('resumed after 1 completed round'))).toBe(true);
    } finally {
      for (const s of sites) s.agent?.stop();
      await c.stop();
    }
  }, 180_000);
});
