/**
 * The tfjs classifier federated for real: a coordinator process (SQLite), 3 sites enrolled through
 * the REST API, each training the 32 px classifier on its own centre of a tiny synthetic
 * consortium, FedProx with secure aggregation, 2 rounds. Checks that each round stores a new
 * global model with the site model's weight names, and that per-centre metrics in
 * the evaluation shape arrive (at the coordinator and in runs/<run>/summary.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConsortium } from '@unbox/data';
import { Evaluation, RunSummary } from '@unbox/protocol';
import { SiteAgent } from '../agent.js';
import { enrollSite } from '../enroll.js';
import { loadIdentity } from '../identity.js';
import { startCoordinator, waitFor, type CoordinatorProcess } from '../testing/coordinator-process.js';
import { ClassifierTrainer } from './classifier-trainer.js';

const CENTRES = ['A', 'B', 'C'];

/**
 * The sites train in this process, blocking its event loop for seconds, so a kept-alive HTTP
 * connection may have been closed by the server meanwhile: one retry on a closed socket.
 */
async function get<T>(c: CoordinatorProcess, path: string): Promise<T> {
  try {
    return (await c.admin<T>('GET', path)).body;
  } catch {
    return (await c.admin<T>('GET', path)).body;
  }
}

describe('federated tfjs classifier on loopback', () => {
  const root = mkdtempSync(join(tmpdir(), 'unbox-fed-clf-'));
  let c: CoordinatorProcess;
  const agents: SiteAgent[] = [];
  const trainers: ClassifierTrainer[] = [];
  beforeAll(async () => {
    const data = await writeConsortium(join(root, 'data'), { seed: 5, centres: 3, size: 32, chestPatients: 8, chestSlices: 8, brainCtPatients: 0, brainMrPatients: 0 });
    c = await startCoordinator(join(root, 'coord'), { args: ['--runs-dir', join(root, 'runs'), '--stage-timeout', '60'] });
    for (const [i, id] of CENTRES.entries()) {
      const add = await c.admin<{ token: string }>('POST', '/api/sites', { site_id: id });
      const dir = join(root, `site-${id}`);
      await enrollSite({ coordinator: c.url, token: add.body.token, siteDir: dir });
      const trainer = await ClassifierTrainer.create({ centre: id, manifests: [data.centres[i].manifest], model: 'classifier:32', seed: 3 });
      trainers.push(trainer);
      const agent = new SiteAgent(c.url, { identity: loadIdentity(dir), trainer, peersPath: join(dir, 'peers.json'), statePath: join(dir, 'state.json'), reconnectDelayMs: 100 });
      agents.push(agent.start());
    }
  }, 120_000);
  afterAll(async () => {
    agents.forEach((a) => a.stop());
    trainers.forEach((t) => t.dispose());
    await c?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('3 sites complete 2 FedProx rounds with secure aggregation: new model each round, same weights, metrics per centre', async () => {
    const config = {
      version: 1, task: 'classify', model: 'classifier:32', rounds: 2, seed: 9,
      strategy: { name: 'fedprox', mu: 0.01 },
      cohort: { min_sites: 3, threshold: 3, configure_timeout_s: 60, fit_timeout_s: 240, aggregate_timeout_s: 120, evaluate_timeout_s: 120 },
      train: { local_epochs: 1, batch_size: 2, lr: 0.001 },
    };
    const started = await c.admin<{ run_id: string }>('POST', '/api/runs', config);
    expect(started.status).toBe(201);
    const run = started.body.run_id;
    const view = await waitFor(async () => {
      const v = await get<{ status: string; failure: string | null; rounds: { round: number; status: string; secure: boolean; cohort: string[] }[] }>(c, `/api/runs/${run}`);
      if (v.status === 'failed') throw new Error(`run failed: ${v.failure}`);
      return v.status === 'done' ? v : undefined;
    }, 'run done', 240_000, 200).catch((e: Error) => {
      throw new Error(`${e.message}\ncoordinator log:\n${c.log.slice(-30).join('\n')}`);
    });
    const done = view.rounds.filter((r) => r.status === 'done');
    expect(done.map((r) => r.round)).toEqual([1, 2]);
    for (const r of done) {
      expect(r.secure).toBe(true);
      expect([...r.cohort].sort()).toEqual(CENTRES);
    }

    const versions = (await get<{ versions: { round: number; model_hash: string }[] }>(c, `/api/models?run=${run}`)).versions;
    const hashes = [0, 1, 2].map((r) => versions.find((v) => v.round === r)?.model_hash);
    expect(hashes.every((h) => typeof h === 'string')).toBe(true);
    expect(new Set(hashes).size).toBe(3);
    // the registry stores tensors in name order (the model hash's canonical order)
    const initialNames = trainers[0].initialLocal().map((t) => t.name).sort();
    for (const r of [0, 2]) {
      const manifest = await get<{ weightsManifest: { weights: { name: string }[] }[] }>(c, `/api/models/${run}/${r}/model.json`);
      expect(manifest.weightsManifest.flatMap((g) => g.weights.map((w) => w.name)).sort()).toEqual(initialNames);
    }

    const metrics = (await get<{ metrics: { round: number; site: string; kind: string; value: unknown }[] }>(c, `/api/runs/${run}/metrics`)).metrics;
    for (const round of [1, 2])
      for (const site of CENTRES) {
        const fit = metrics.find((m) => m.round === round && m.site === site && m.kind === 'fit');
        expect(fit, `fit metrics ${site} round ${round}`).toBeDefined();
        const ev = metrics.find((m) => m.round === round && m.site === site && m.kind === 'evaluate');
        const parsed = Evaluation.parse((ev?.value as { evaluation?: unknown } | undefined)?.evaluation);
        expect(parsed.task).toBe('classify');
        expect(parsed.splits.train?.centre).toBe(site);
        expect(parsed.splits.train?.patient?.n).toBe(trainers[CENTRES.indexOf(site)].trainPatients);
      }

    const summary = RunSummary.parse(JSON.parse(readFileSync(join(root, 'runs', run, 'summary.json'), 'utf8')));
    expect(summary.secure_aggregation).toBe(true);
    expect(summary.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(Object.keys(summary.rounds[1].metrics).sort()).toEqual(CENTRES);
  }, 300_000);
});
