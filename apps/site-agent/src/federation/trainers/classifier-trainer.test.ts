/**
 * The federated classifier's local fit with the run's patient sampling: 'centre-balanced' takes
 * as many steps as a uniform epoch, each a positive/negative pair of the site's own patients; a
 * site holding one class only is refused with the reason. The protocol's sampling values are the
 * models' PatientSampling. FixBN rounds and kept optimiser moments reach the local step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConsortium } from '@unbox/data';
import type * as tf from '@tensorflow/tfjs';
import { PatientSampling as ModelSampling, StepDropout, type WindowView } from '@unbox/models';
import { PatientSampling } from '@unbox/protocol';
import { ClassifierTrainer } from './classifier-trainer.js';

describe('ClassifierTrainer local fit sampling', () => {
  const root = mkdtempSync(join(tmpdir(), 'unbox-clf-trainer-'));
  let manifest = '';
  let trainer: ClassifierTrainer | null = null;
  beforeAll(async () => {
    process.env.UNBOX_BACKEND ??= 'wasm';
    const data = await writeConsortium(join(root, 'data'), { seed: 5, centres: 1, size: 32, chestPatients: 8, chestSlices: 6, brainCtPatients: 0, brainMrPatients: 0, split: [1, 0, 0] });
    manifest = data.centres[0].manifest;
    trainer = await ClassifierTrainer.create({ centre: 'A', manifests: [manifest], model: 'classifier:32:lung', seed: 3, maxSlicesPerPatient: 4 });
  }, 120_000);
  afterAll(() => {
    trainer?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('the protocol carries the same sampling values as @unbox/models', () => {
    expect(PatientSampling.options).toEqual(ModelSampling.options);
  });

  it("centre-balanced: ⌈n / batch⌉ steps of positive/negative pairs, weights change, loss finite", async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const out = await t.fit(w0, w0, { server_round: 1, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, sampling: 'centre-balanced' });
    expect(out.metrics.steps).toBe(Math.ceil(t.trainPatients / 2));
    expect(Number.isFinite(out.metrics.train_loss)).toBe(true);
    expect(out.parameters.some((p, i) => p.data.some((x, j) => x !== w0[i].data[j]))).toBe(true);
  }, 120_000);

  it('FixBN: a round with freeze_bn_statistics keeps the received batch-norm statistics and still trains; the next plain round updates them', async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const isStat = (n: string) => /_bn\/moving_(mean|variance)$/.test(n);
    const changed = (a: typeof w0, pick: (n: string) => boolean) => a.filter((p, i) => pick(p.name) && p.data.some((x, j) => x !== w0[i].data[j])).length;
    const frozen = await t.fit(w0, w0, { server_round: 2, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, freeze_bn_statistics: true });
    expect(w0.filter((p) => isStat(p.name)).length).toBeGreaterThan(0);
    expect(changed(frozen.parameters, isStat)).toBe(0);
    expect(changed(frozen.parameters, (n) => n.endsWith('_bn/gamma'))).toBeGreaterThan(0);
    const plain = await t.fit(w0, w0, { server_round: 2, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4 });
    expect(changed(plain.parameters, isStat)).toBe(w0.filter((p) => isStat(p.name)).length);
  }, 120_000);

  it('keep_optimizer_state: round 2 continues round 1\'s Adam; without it round 2 replays from a fresh Adam', async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const round = (server_round: number, keep: boolean) => ({ server_round, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, ...(keep ? { keep_optimizer_state: true } : {}) });
    const fresh2 = (await t.fit(w0, w0, round(2, false))).parameters;
    expect((await t.fit(w0, w0, round(2, false))).parameters).toEqual(fresh2); // a fresh round is a function of its inputs only
    await t.fit(w0, w0, round(1, true));
    const kept2 = (await t.fit(w0, w0, round(2, true))).parameters;
    expect(kept2.some((p, i) => p.data.some((x, j) => x !== fresh2[i].data[j]))).toBe(true);
  }, 120_000);

  it('dropout: every local step draws its own masks, and another site or round draws others', async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const dropout = (t as unknown as { model: tf.LayersModel }).model.layers.find((l): l is StepDropout => l instanceof StepDropout);
    expect(dropout).toBeDefined();
    const seen: number[] = [];
    const call = dropout!.call.bind(dropout!);
    dropout!.call = (inputs, kwargs) => {
      if (kwargs.training) seen.push(dropout!.step);
      return call(inputs, kwargs);
    };
    try {
      const round = (server_round: number) => ({ server_round, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4 });
      await t.fit(w0, w0, round(1));
      const first = seen.splice(0);
      expect(first.length).toBe(Math.ceil(t.trainPatients / 2));
      expect(new Set(first).size).toBe(first.length); // a fixed mask trained a fixed sub-network
      await t.fit(w0, w0, round(2));
      expect(seen.filter((s) => first.includes(s))).toEqual([]);
    } finally {
      dropout!.call = call;
    }
  }, 120_000);

  it('each site draws its own patients, windows and augmentation in a round; the same site replays them', async () => {
    // a second site holding the same patients: only its name differs
    const b = await ClassifierTrainer.create({ centre: 'B', manifests: [manifest], model: 'classifier:32:lung', seed: 3, maxSlicesPerPatient: 4 });
    try {
      const draws = async (t: ClassifierTrainer) => {
        const data = (t as unknown as { data: { jitteredView: WindowView } }).data;
        const view = data.jitteredView;
        const seen: string[] = [];
        data.jitteredView = (w, r) => {
          const x = view(w, r);
          seen.push(`${w.patient.id}@${w.start}:${x.reduce((a, v) => a + v, 0).toFixed(3)}`);
          return x;
        };
        try {
          const w0 = t.initialLocal();
          await t.fit(w0, w0, { server_round: 5, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, sampling: 'centre-balanced', scanner_jitter: true });
        } finally {
          data.jitteredView = view;
        }
        return seen;
      };
      const a1 = await draws(trainer!);
      expect(await draws(trainer!)).toEqual(a1);
      const b1 = await draws(b);
      expect(b1).toHaveLength(a1.length);
      // before, every site of a round drew the same crops, flips and scanner jitter at every step
      expect(b1.filter((x, i) => x === a1[i])).toEqual([]);
    } finally {
      b.dispose();
    }
  }, 120_000);

  it('weight_decay: the round decays the kernels with it instead of the model\'s own', async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const round = (wd?: number) => ({ server_round: 3, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, ...(wd === undefined ? {} : { weight_decay: wd }) });
    const norm = (ps: typeof w0) => Math.sqrt(ps.filter((p) => p.name.endsWith('conv/kernel')).reduce((a, p) => a + p.data.reduce((b, x) => b + x * x, 0), 0));
    const own = (await t.fit(w0, w0, round())).parameters;
    const strong = (await t.fit(w0, w0, round(0.5))).parameters;
    expect(norm(strong)).toBeLessThan(norm(own));
    expect((await t.fit(w0, w0, round(1e-5))).parameters).toEqual(own); // the model's own coefficient is 1e-5 (paper 3.4)
  }, 120_000);

  it('scanner_jitter: the round trains on jittered views (same seed, other weights); without it the plain views', async () => {
    const t = trainer!;
    const w0 = t.initialLocal();
    const round = (jitter: boolean) => ({ server_round: 3, local_epochs: 1, batch_size: 2, lr: 1e-3, seed: 4, ...(jitter ? { scanner_jitter: true } : {}) });
    const plain = (await t.fit(w0, w0, round(false))).parameters;
    const jittered = (await t.fit(w0, w0, round(true))).parameters;
    expect(jittered.some((p, i) => p.data.some((x, j) => x !== plain[i].data[j]))).toBe(true);
    expect((await t.fit(w0, w0, round(true))).parameters).toEqual(jittered); // a function of the round's seed
  }, 120_000);

  it('refuses centre-balanced sampling at a site with one class, naming it', async () => {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { entries: { label?: string }[] };
    const onlyNegative = join(root, 'data', 'A', 'negatives.json');
    writeFileSync(onlyNegative, JSON.stringify({ ...m, entries: m.entries.filter((e) => e.label !== undefined && e.label !== 'NCP') }));
    const t = await ClassifierTrainer.create({ centre: 'A', manifests: [onlyNegative], model: 'classifier:32', seed: 3 });
    try {
      const w = t.initialLocal();
      await expect(t.fit(w, w, { server_round: 1, local_epochs: 1, batch_size: 2, lr: 1e-3, sampling: 'centre-balanced' })).rejects.toThrow("sampling 'centre-balanced' needs NCP and non-NCP patients in this site's train split; A has only non-NCP patients");
    } finally {
      t.dispose();
    }
  }, 120_000);
});
