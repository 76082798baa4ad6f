/**
 * The tfjs classifier federated for real: a coordinator process (SQLite), 3 sites enrolled through
 * the REST API, each training the 32 px classifier on its own centre of a tiny synthetic
 * consortium, FedProx with secure aggregation, 2 rounds. Checks that each round stores a new
 * global model with the site model's weight names, and that per-centre metrics in
 * the evaluation shape arrive (at the coordinator and in runs/<run>/summary.json). Sites A and B
 * opted in to the consortium t-SNE (C did not): each round gets a stored t-SNE of exactly their
 * patients. Every site saves each round's global model in `train --out` layout, loadable by
 * loadSiteModel with the coordinator's weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConsortium } from '@unbox/data';
import { modelHash } from '@unbox/fl';
import { readWeights } from '@unbox/models';
import { ConsortiumTsne, Evaluation, RoundList, RunSummary } from '@unbox/protocol';
import { loadSiteModel } from '../../explain/site-model.js';
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
  const saved: string[] = [];
  beforeAll(async () => {
    const data = await writeConsortium(join(root, 'data'), { seed: 5, centres: 3, size: 32, chestPatients: 8, chestSlices: 8, brainCtPatients: 0, brainMrPatients: 0 });
    c = await startCoordinator(join(root, 'coord'), { args: ['--runs-dir', join(root, 'runs'), '--stage-timeout', '60'] });
    for (const [i, id] of CENTRES.entries()) {
      const add = await c.admin<{ token: string }>('POST', '/api/sites', { site_id: id });
      const dir = join(root, `site-${id}`);
      await enrollSite({ coordinator: c.url, token: add.body.token, siteDir: dir });
      const trainer = await ClassifierTrainer.create({ centre: id, manifests: [data.centres[i].manifest], model: 'classifier:32', seed: 3 });
      trainers.push(trainer);
      const agent = new SiteAgent(c.url, {
        identity: loadIdentity(dir), trainer, peersPath: join(dir, 'peers.json'), statePath: join(dir, 'state.json'), reconnectDelayMs: 100,
        modelsDir: join(dir, 'models'),
        // A and B opted in (B with noise); C did not
        shareFeatures: id === 'C' ? null : { maxSamples: 5, noiseSigma: id === 'B' ? 0.01 : 0 },
        on: { modelSaved: (_dir, _run, round) => saved.push(`${id}:${round}`) },
      });
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

    // the consortium view: rounds with cohort and per-centre curves
    const list = RoundList.parse(await get(c, `/api/runs/${run}/rounds`));
    expect(list.rounds.map((r) => [r.round, r.status])).toEqual([[1, 'done'], [2, 'done']]);
    expect(list.rounds[1].metrics.A.train?.patient?.roc?.length).toBeGreaterThan(1);

    // consortium t-SNE: computed after each round, off its critical path; only A's and B's points
    for (const round of [1, 2]) {
      const t = ConsortiumTsne.parse(await waitFor(async () => {
        const r = await c.admin<unknown>('GET', `/api/runs/${run}/rounds/${round}/tsne`).catch(() => null);
        return r?.status === 200 ? r.body : undefined;
      }, `t-SNE of round ${round}`, 60_000, 200));
      const perSite = (i: number) => Math.min(5, trainers[i].patients);
      expect(t.n).toBe(perSite(0) + perSite(1));
      expect(new Set(t.points.map((p) => p.centre))).toEqual(new Set(['A', 'B']));
      expect(new Set(t.points.map((p) => p.label)).size).toBeGreaterThan(0);
      expect(t.points.every((p) => ['positive', 'negative'].includes(p.label))).toBe(true);
      expect(t.noise_sigma_by_centre).toEqual({ A: 0, B: 0.01 });
      expect(t.noise_sigma).toBe(0.01);
      expect(t.dim).toBe(64);
      expect(t.unit).toBe('patient');
      expect(t.trustworthiness).toBeGreaterThan(0);
    }
    expect(RoundList.parse(await get(c, `/api/runs/${run}/rounds`)).rounds.every((r) => r.tsne)).toBe(true);

    // every site saved the global model of round 2 in train --out layout, with the coordinator's weights
    await waitFor(() => (CENTRES.every((id) => saved.includes(`${id}:2`)) ? true : undefined), 'models saved', 30_000, 100);
    for (const id of CENTRES) {
      const dir = join(root, `site-${id}`, 'models', 'classify');
      const m = await loadSiteModel(dir);
      expect(m.config.task).toBe('classify');
      expect(m.step).toBe(2);
      expect(modelHash(readWeights(m.model))).toBe(hashes[2]);
      const state = JSON.parse(readFileSync(join(dir, 'checkpoint', 'state.json'), 'utf8')) as { federated: { run: string; round: number; model_hash: string } };
      expect(state.federated).toEqual({ run, round: 2, model_hash: hashes[2] });
      const ev = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as { splits: { train?: { centre: string } }; federated: { round: number } };
      expect([ev.splits.train?.centre, ev.federated.round]).toEqual([id, 2]);
      m.model.dispose();
    }
  }, 300_000);
});
