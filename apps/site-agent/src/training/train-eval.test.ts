/**
 * train → checkpoint → eval round trips on a tiny synthetic consortium (2 centres, 32 px), resume
 * from the saved step, and the errors an operator sees for bad configs, manifests and folders.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_SYNTH_OPTIONS, writeConsortium } from '@unbox/data';
import { encodeParameters } from '@unbox/fl';
import { loadCheckpoint, readWeights } from '@unbox/models';
import { tfjsWeightsJson } from '@unbox/protocol';
import { createLogger } from '../logger.js';
import { loadTrainConfig, parseTrainConfig, type TrainConfig } from './config.js';
import { runTraining } from './train-run.js';
import { runEvaluation } from './eval-run.js';

process.env.UNBOX_BACKEND = 'wasm';
const log = createLogger({ format: 'human', level: 'error', write: () => {} });
const TINY = { depth: 18, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'imagenet' };
const classify = (over: Record<string, unknown> = {}): TrainConfig => parseTrainConfig('classify', {
  seed: 3, steps: 4, checkpointEvery: 2, patientsPerBatch: 2, maxSlicesPerPatient: 4,
  model: { backbone: TINY, phiFilters: 4, sectionLength: 4, k: 2, dropout: 0 }, ...over,
});

let dir: string;
let manifests: string[];
let truths: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-train-'));
  const r = await writeConsortium(join(dir, 'synth'), {
    ...DEFAULT_SYNTH_OPTIONS, seed: 5, centres: 2, size: 32, chestPatients: 6, chestSlices: 6,
    brainCtPatients: 4, brainMrPatients: 4, brainCoverage: 0.1, split: [0.5, 0, 0.5],
  });
  manifests = r.centres.map((c) => c.manifest);
  truths = r.centres.map((c) => c.groundTruth);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const weights = async (ckpt: string) => {
  const { model } = await loadCheckpoint(ckpt);
  const w = model.getWeights().map((t) => Array.from(t.dataSync()));
  model.dispose();
  return w;
};

describe('unbox-site train / eval (classify)', () => {
  it('trains, checkpoints in tfjs format, and eval of the saved model reproduces the training evaluation', async () => {
    const out = join(dir, 'cls');
    const r = await runTraining({ task: 'classify', manifests, config: classify(), out, groundTruth: truths, log });
    expect(r.losses).toHaveLength(4);
    expect(r.losses.every(Number.isFinite)).toBe(true);
    expect(r.evaluation).toMatchObject({ final_loss: expect.any(Number), step_ms_median: expect.any(Number) });
    const state = JSON.parse(await readFile(join(out, 'checkpoint', 'state.json'), 'utf8'));
    expect(state.step).toBe(4);
    expect(state.config.task).toBe('classify');
    expect(JSON.parse(await readFile(join(out, 'checkpoint', 'model', 'model.json'), 'utf8')).format).toBe('layers-model');
    const ev = JSON.parse(await readFile(join(out, 'evaluation.json'), 'utf8'));
    expect(ev).toMatchObject({ task: 'classify', backend: 'wasm', seed: 3, config: { steps: 4, model: { mode: 'sim+ncm' } }, versions: { tfjs: tf.version.tfjs } });
    expect(Date.parse(ev.created)).toBeGreaterThan(0);
    expect(Object.keys(ev.splits).sort()).toEqual(['test', 'train']);
    // every chest patient of both centres is in exactly one split
    expect(ev.splits.train.patient.n + ev.splits.test.patient.n).toBe(12);
    expect(Object.keys(ev.splits.test.centres).sort()).toEqual(['A', 'B']);
    // ground truth gives slice labels: image-level n counts slices, not patients
    expect(ev.splits.test.image.n).toBeGreaterThan(ev.splits.test.patient.n);
    const evalOut = join(dir, 'cls-eval.json');
    const again = await runEvaluation({ model: out, manifests, out: evalOut, groundTruth: truths, log });
    const onDisk = JSON.parse(await readFile(evalOut, 'utf8'));
    expect(onDisk.step).toBe(4);
    for (const split of ['train', 'test']) {
      expect(onDisk.splits[split].patient).toEqual(ev.splits[split].patient);
      expect(onDisk.splits[split].image).toEqual(ev.splits[split].image);
    }
    expect(again.backend).toBe('wasm');
    // --merge-splits: every patient as one split "all" (an unseen centre evaluated as a whole)
    const merged = await runEvaluation({ model: out, manifests, out: join(dir, 'all.json'), merge: true, groundTruth: truths, log });
    expect(Object.keys(merged.splits)).toEqual(['all']);
    expect((merged.splits.all as { patient: { n: number } }).patient.n).toBe(12);
    // one centre's manifest only: that centre alone
    const one = await runEvaluation({ model: join(out, 'checkpoint'), manifests: [manifests[1]], out: join(dir, 'b.json'), splits: ['test'], log });
    expect(Object.keys(one.splits)).toEqual(['test']);
    expect((one.splits.test as { centre: string }).centre).toBe('B');
    // --adapt-bn (AdaBN): one centre's scans re-estimate the batch-norm statistics; the saved model is untouched
    const adapted = await runEvaluation({ model: out, manifests: [manifests[1]], out: join(dir, 'b-adabn.json'), merge: true, adaptBn: true, log });
    expect(adapted.adapted_batchnorm).toEqual([{ centre: 'B', layers: expect.any(Number), images: expect.any(Number) }]);
    expect(adapted.adapted_batchnorm![0].layers).toBeGreaterThan(10);
    expect((adapted.splits.all as { patient: { auc: number } }).patient.auc).not.toBeNaN();
    const again2 = await runEvaluation({ model: join(out, 'checkpoint'), manifests: [manifests[1]], out: join(dir, 'b2.json'), splits: ['test'], log });
    expect(again2.splits.test).toEqual(one.splits.test);
    // several centres: each is scored with the statistics of its own scans, exactly as when evaluated alone
    const each = await runEvaluation({ model: out, manifests, out: join(dir, 'ab-adabn.json'), merge: true, adaptBn: true, log });
    expect(each.adapted_batchnorm!.map((a) => a.centre)).toEqual(['A', 'B']);
    expect(each.adapted_batchnorm![1]).toEqual(adapted.adapted_batchnorm![0]);
    const pooled = each.splits.all as { patient: { n: number }; centres: Record<string, { patient: unknown; image: unknown }> };
    expect(pooled.patient.n).toBe(12);
    const bAlone = adapted.splits.all as { patient: Record<string, unknown>; image: Record<string, unknown> };
    expect(bAlone.patient).toMatchObject(pooled.centres.B.patient as object);
    expect(bAlone.image).toMatchObject(pooled.centres.B.image as object);
    const aAlone = await runEvaluation({ model: out, manifests: [manifests[0]], out: join(dir, 'a-adabn.json'), merge: true, adaptBn: true, log });
    expect((aAlone.splits.all as { patient: object }).patient).toMatchObject(pooled.centres.A.patient as object);
    // --adapt-on: the statistics from other splits' scans than the evaluated ones (a site's every scan)
    const bySplit = await runEvaluation({ model: out, manifests: [manifests[1]], out: join(dir, 'b-adabn-splits.json'), adaptBn: true, log });
    const testOnly = await runEvaluation({ model: out, manifests: [manifests[1]], out: join(dir, 'b-adabn-test.json'), splits: ['test'], adaptBn: true, adaptSplits: ['train', 'val', 'test'], log });
    expect(testOnly.adapted_batchnorm).toEqual(adapted.adapted_batchnorm);
    expect(testOnly.splits.test).toEqual(bySplit.splits.test);
    await expect(runEvaluation({ model: out, manifests: [manifests[1]], out: join(dir, 'x.json'), adaptSplits: ['train'], log })).rejects.toThrow(/--adapt-on names the splits AdaBN takes its statistics from: give it with --adapt-bn/);
  });

  it('--resume continues from the saved step and ends where an uninterrupted run ends', async () => {
    const out = join(dir, 'cls-resume');
    const first = await runTraining({ task: 'classify', manifests, config: classify({ steps: 2 }), out, log });
    expect(first.losses).toHaveLength(2);
    const second = await runTraining({ task: 'classify', manifests, config: classify({ steps: 4 }), out, resume: true, log });
    expect(second.losses).toHaveLength(2); // steps 3 and 4 only
    expect(second.evaluation).toMatchObject({ resumed_from: 2 });
    const resumed = await weights(join(out, 'checkpoint'));
    const straight = await weights(join(dir, 'cls', 'checkpoint'));
    let maxDiff = 0;
    resumed.forEach((w, i) => w.forEach((v, j) => { maxDiff = Math.max(maxDiff, Math.abs(v - straight[i][j])); }));
    expect(maxDiff).toBeLessThan(1e-4);
    // resuming a finished run evaluates only
    const third = await runTraining({ task: 'classify', manifests, out, resume: true, log });
    expect(third.losses).toHaveLength(0);
  });

  it('keepCheckpoints keeps every checkpoint as checkpoints/step-<n>/, each one evaluable; by default only the latest', async () => {
    const out = join(dir, 'cls-kept');
    await runTraining({ task: 'classify', manifests, config: classify({ keepCheckpoints: true }), out, log });
    expect(existsSync(join(out, 'checkpoints', 'step-2', 'state.json'))).toBe(true);
    expect(await weights(join(out, 'checkpoints', 'step-4'))).toEqual(await weights(join(out, 'checkpoint')));
    // the same seed and config without keepCheckpoints trains the same weights
    expect(await weights(join(out, 'checkpoint'))).toEqual(await weights(join(dir, 'cls', 'checkpoint')));
    expect(await weights(join(out, 'checkpoints', 'step-2'))).not.toEqual(await weights(join(out, 'checkpoint')));
    await runEvaluation({ model: join(out, 'checkpoints', 'step-2'), manifests, out: join(dir, 'step-2.json'), splits: ['test'], log });
    expect(JSON.parse(await readFile(join(dir, 'step-2.json'), 'utf8')).step).toBe(2);
    expect(existsSync(join(dir, 'cls', 'checkpoints'))).toBe(false);
  });

  it('refuses to overwrite a checkpoint, to resume nothing, or to resume with another model', async () => {
    const out = join(dir, 'cls');
    await expect(runTraining({ task: 'classify', manifests, config: classify(), out, log })).rejects.toThrow(/already holds a checkpoint: add --resume/);
    await expect(runTraining({ task: 'classify', manifests, config: classify(), out: join(dir, 'none'), resume: true, log })).rejects.toThrow(/no checkpoint here/);
    await expect(runTraining({ task: 'classify', manifests, config: classify({ seed: 9 }), out, resume: true, log })).rejects.toThrow(/different config: seed \(checkpoint 3, config 9\)/);
    await expect(runTraining({ task: 'segment', manifests, out, resume: true, log })).rejects.toThrow(/trained for --task classify, not segment/);
    await expect(runEvaluation({ model: join(dir, 'nowhere'), manifests, out: join(dir, 'x.json'), log })).rejects.toThrow(/nowhere: no checkpoint here/);
  });
});

describe('unbox-site eval --weights (a global model version)', () => {
  it('scores a coordinator round folder or its tfjs export in the network of --model, checked by hash', async () => {
    const other = join(dir, 'cls-other');
    await runTraining({ task: 'classify', manifests, config: classify({ seed: 8, steps: 2 }), out: other, log });
    const { model } = await loadCheckpoint(join(other, 'checkpoint'));
    const tensors = readWeights(model);
    model.dispose();
    const { manifest, bytes } = encodeParameters(tensors);
    const version = async (name: string, files: Record<string, string | Uint8Array>) => {
      const d = join(dir, name);
      await mkdir(d, { recursive: true });
      for (const [f, content] of Object.entries(files)) await writeFile(join(d, f), content);
      return d;
    };
    const stored = await version('round-2', { 'manifest.json': JSON.stringify(manifest), 'weights.bin': bytes });
    const exported = await version('export-2', { 'model.json': JSON.stringify(tfjsWeightsJson(manifest)), 'weights.bin': bytes });
    const evaluate = (weights?: string, model = join(dir, 'cls')) => runEvaluation({ model, manifests, out: join(dir, 'v.json'), groundTruth: truths, weights, log });
    const direct = await evaluate(undefined, other);
    const own = await evaluate();
    // the template's own weights score otherwise, so equal scores below come from the version
    expect(own.splits.train).not.toEqual(direct.splits.train);
    for (const [d, format] of [[stored, 'checkpoint'], [exported, 'tfjs']] as const) {
      const ev = await evaluate(d);
      expect(ev.weights).toEqual({ dir: d, model_hash: manifest.model_hash, format });
      expect(ev.splits).toEqual(direct.splits);
      expect(JSON.parse(await readFile(join(dir, 'v.json'), 'utf8')).weights.model_hash).toBe(manifest.model_hash);
    }
    expect(own.weights).toBeNull();

    const flipped = Uint8Array.from(bytes);
    flipped[100] ^= 1;
    await expect(evaluate(await version('flipped', { 'manifest.json': JSON.stringify(manifest), 'weights.bin': flipped }))).rejects.toThrow(/flipped: model hash mismatch/);
    await expect(evaluate(await version('short', { 'model.json': JSON.stringify(tfjsWeightsJson(manifest)), 'weights.bin': bytes.subarray(4) }))).rejects.toThrow(/short: model bytes: got \d+, manifest says \d+/);
    const fewer = encodeParameters(tensors.slice(1));
    await expect(evaluate(await version('fewer', { 'manifest.json': JSON.stringify(fewer.manifest), 'weights.bin': fewer.bytes }))).rejects.toThrow(new RegExp(`fewer does not fit the network of --model: received model lacks the weight '${tensors[0].name}'`));
    await expect(evaluate(await version('layers', { 'model.json': JSON.stringify({ format: 'layers-model' }) }))).rejects.toThrow(/layers\/model.json: not a model version exported by unbox-coordinator \(format: /);
    await expect(evaluate(await version('nothing', {}))).rejects.toThrow(/nothing: no model version here/);
    await expect(evaluate(await version('no-bin', { 'manifest.json': JSON.stringify(manifest) }))).rejects.toThrow(/no-bin\/weights.bin: missing/);
  });
});

describe('unbox-site train (segment)', () => {
  it('LS+LT on thick labelled and thin unlabelled scans; Dice per modality and thickness with thin ground truth', async () => {
    const out = join(dir, 'seg');
    const config = parseTrainConfig('segment', { seed: 2, steps: 2, batchSize: 2, model: { encoder: TINY, loss: 'LS+LT' } });
    const r = await runTraining({ task: 'segment', manifests, config, out, groundTruth: truths, log });
    expect(r.losses).toHaveLength(2);
    const ev = JSON.parse(await readFile(r.evaluationPath, 'utf8'));
    expect(ev.task).toBe('segment');
    const dice = { ...ev.splits.train?.dice, ...ev.splits.test?.dice };
    expect(Object.keys(dice).sort()).toEqual(['CT', 'MRI']);
    const all = [ev.splits.train, ev.splits.test].filter(Boolean).flatMap((s) => Object.values(s.dice as Record<string, Record<string, { n: number; per_class: number[] }>>));
    expect(all.some((m) => m.thin && m.thin.n > 0)).toBe(true);
    expect(all.every((m) => m.mixed.per_class.length === 4)).toBe(true);
    // without ground truth the thin scans are not scored, and are counted as such
    const plain = await runEvaluation({ model: out, manifests, out: join(dir, 'seg-eval.json'), log });
    const splits = Object.values(plain.splits) as { dice: Record<string, { thin?: unknown }>; unscored_slices: number }[];
    expect(splits.every((s) => Object.values(s.dice).every((m) => m.thin === undefined))).toBe(true);
    expect(splits.reduce((a, s) => a + s.unscored_slices, 0)).toBeGreaterThan(0);
  });
});

describe('clear errors', () => {
  it('config: file, field path and reason', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ steps: 0, lerningRate: 1, model: { backbone: { depth: 19 } } }));
    await expect(loadTrainConfig('classify', bad)).rejects.toThrow(/bad\.json: invalid classify config: .*steps: .*>=1.*lerningRate/);
    await expect(loadTrainConfig('classify', bad)).rejects.toThrow(/model\.backbone\.depth/);
    await writeFile(bad, '{ "steps": 3,');
    await expect(loadTrainConfig('classify', bad)).rejects.toThrow(/bad\.json: the config is not valid JSON/);
    await expect(loadTrainConfig('segment', join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot read the config \(file not found\)/);
    expect(() => parseTrainConfig('segment', { task: 'classify' })).toThrow(/task: /);
    expect(() => parseTrainConfig('segment', { model: { loss: 'LX' } })).toThrow(/model\.loss/);
  });

  it('manifest: missing file, and no usable rows name the skipped rows and reasons', async () => {
    await expect(runTraining({ task: 'classify', manifests: [join(dir, 'nope.json')], config: classify(), out: join(dir, 'm1'), log })).rejects.toThrow(/nope\.json: manifest file not found/);
    const m = join(dir, 'broken.json');
    await writeFile(m, JSON.stringify({ version: 1, centre: 'Z', entries: [
      { patient: 'Z1', task: 'classify', label: 'NCP', modality: 'CT', slice_thickness: 1, split: 'train', paths: ['gone'] },
      { patient: 'Z2', task: 'classify', label: 'COVID', modality: 'CT', slice_thickness: 1, split: 'train', paths: ['x'] },
    ] }));
    const err = await runTraining({ task: 'classify', manifests: [m], config: classify(), out: join(dir, 'm2'), log }).catch((e: Error) => e);
    expect((err as Error).name).toBe('UserError');
    expect((err as Error).message).toMatch(/no usable labelled classify rows in the train split in centre\(s\) Z \(2 row\(s\) skipped: /);
    expect((err as Error).message).toMatch(/row 2 \(Z2\): unknown-label/);
    expect((err as Error).message).toMatch(/row 1 \(Z1\): .*gone/);
    expect(existsSync(join(dir, 'm2', 'checkpoint'))).toBe(false);
  });
});
