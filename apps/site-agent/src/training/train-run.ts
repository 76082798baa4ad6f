/**
 * A site's local training run (`unbox-site train`): manifests → datasets → trainer of
 * @unbox/models with tfjs-format checkpoints every `checkpointEvery` steps → evaluation JSON of
 * every split (and centre) in <out>/evaluation.json. `resume` continues from <out>/checkpoint at
 * the saved step with the saved weights, Adam moments and the same batch sequence (the classifier's
 * per-batch augmentation draws depend on seed and step only). Classifier runs log and record
 * `monitor` points (train AUC whole-slice and augmented, held-out AUCs), ≤ ~8 a run.
 */
import { existsSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '@unbox/data';
import {
  adam, classifierFromConfig, evaluationJson, loadCheckpoint, PAPER_SEG_AUGMENT, saveCheckpoint, segmenterFromConfig, trainClassifier, trainSegmenter, type EvaluationJson, type PatientSlices,
} from '@unbox/models';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ensureBackend } from './backend.js';
import { readSavedState, resumeConflict } from './checkpoint-state.js';
import { classifyInput, loadClassifyPatients, loadClassifyTraining } from './classify-data.js';
import { fixedAugmentedCopies, monitorPoint, type MonitorPoint, type MonitorSets } from './classify-monitor.js';
import type { ClassifyTrainConfig, SegmentTrainConfig, TaskName, TrainConfig } from './config.js';
import { parseTrainConfig } from './config.js';
import { viewAugmentation } from './classify-views.js';
import { evaluateClassifierRows, evaluateSegmenterRows, type SplitResults } from './evaluate.js';
import { writeJsonFile } from './json-file.js';
import { selectRows, type SelectedRows, type SkippedRow } from './manifests.js';
import { createProgress, type StepInfo } from './progress.js';
import { loadSegmentImages } from './segment-data.js';
import { loadTruth } from './truth.js';

export interface TrainRunOptions {
  task: TaskName;
  manifests: string[];
  /** undefined: defaults for a new run, the checkpoint's config on resume */
  config?: TrainConfig;
  out: string;
  resume?: boolean;
  /** ground-truth indexes for evaluation only (image-level slice labels, thin-slice masks) */
  groundTruth?: string[];
  log: Logger;
  json?: boolean;
  tty?: boolean;
}

export interface TrainRunResult {
  evaluation: EvaluationJson;
  evaluationPath: string;
  checkpoint: string;
  losses: number[];
  stepMs: number[];
}

interface Trainable {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  startStep: number;
}

async function prepare(opts: TrainRunOptions, ckpt: string): Promise<{ config: TrainConfig; start: Trainable | null }> {
  if (!opts.resume) {
    if (existsSync(join(ckpt, 'state.json'))) throw new UserError(`${opts.out} already holds a checkpoint: add --resume to continue it, or choose another --out`);
    return { config: opts.config ?? parseTrainConfig(opts.task, {}), start: null };
  }
  const saved = await readSavedState(ckpt);
  if (saved.config.task !== opts.task) throw new UserError(`${ckpt}: the checkpoint was trained for --task ${saved.config.task}, not ${opts.task}`);
  const config = opts.config ?? saved.config;
  const conflict = resumeConflict(saved.config, config);
  if (conflict) throw new UserError(`cannot resume ${ckpt} with a different config: ${conflict}; only steps, checkpointEvery and evalSplits may change`);
  const optimizer = adam(config.model.learningRate);
  const { model } = await loadCheckpoint(saved.dir, optimizer).catch((e: Error) => { throw new UserError(`cannot resume: ${e.message}`); });
  return { config, start: { model, optimizer, startStep: saved.step } };
}

function noData(what: string, sel: SelectedRows, skipped: SkippedRow[]): UserError {
  const why = skipped.slice(0, 3).map((s) => `row ${s.row} (${s.patient ?? '?'}): ${s.reason}`).join('; ');
  return new UserError(`no usable ${what} in ${sel.centres.length ? `centre(s) ${sel.centres.join(', ')}` : 'the manifest(s)'}${skipped.length ? ` (${skipped.length} row(s) skipped: ${why})` : ''}`);
}

/** Step time (median and mean after two warm-up steps) and the mean loss of the last 10 steps. */
export function stepSummary(ms: number[], losses: number[]): { step_ms_median: number | null; step_ms_mean: number | null; final_loss: number | null } {
  const rest = ms.length > 3 ? ms.slice(2) : ms;
  const sorted = [...rest].sort((a, b) => a - b);
  const tail = losses.slice(-10);
  return {
    step_ms_median: sorted.length ? +sorted[Math.floor(sorted.length / 2)].toFixed(1) : null,
    step_ms_mean: rest.length ? +(rest.reduce((a, b) => a + b, 0) / rest.length).toFixed(1) : null,
    final_loss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : null,
  };
}

export async function runTraining(opts: TrainRunOptions): Promise<TrainRunResult> {
  const out = resolve(opts.out);
  const ckpt = join(out, 'checkpoint');
  const backend = await ensureBackend();
  const { config, start } = await prepare(opts, ckpt);
  const { log } = opts;
  const splits = [...new Set<Split>(['train', ...config.evalSplits])];
  const sel = await selectRows(opts.manifests, opts.task, splits);
  for (const s of sel.skipped) log.warn('manifest row skipped', { manifest: s.manifest, row: s.row, patient: s.patient, reason: s.reason });
  const trainRows = sel.rows.filter((r) => r.entry.split === 'train');
  const truth = opts.groundTruth?.length ? await loadTruth(opts.groundTruth) : undefined;

  const losses: number[] = [];
  const stepMs: number[] = [];
  const progress = createProgress(config.steps, log, { json: opts.json, tty: opts.tty });
  let model: tf.LayersModel;
  let optimizer: tf.Optimizer;
  const startStep = start?.startStep ?? 0;
  const state = (step: number) => ({ step, seed: config.seed, config, backend: backend.backend, manifests: opts.manifests.map((m) => resolve(m)) });
  // classifier only: AUCs on train (whole view and augmented) and held-out splits every monitorEvery steps
  // and after the last (no more often than checkpoints, ≤ ~8 points a run: each predicts every training slice twice)
  const monitorEvery = Math.max(config.checkpointEvery, Math.ceil(config.steps / 8));
  const monitor: MonitorPoint[] = [];
  let monitorSets: MonitorSets | null = null;
  let sinceLast: number[] = [];
  const onStep = async (info: StepInfo) => {
    losses.push(info.loss);
    stepMs.push(info.ms);
    sinceLast.push(info.loss);
    progress.update(info);
    if (info.step % config.checkpointEvery === 0 || info.step === config.steps) {
      await saveCheckpoint(ckpt, model, optimizer, state(info.step));
      if (config.keepCheckpoints) await cp(ckpt, join(out, 'checkpoints', `step-${info.step}`), { recursive: true, force: true });
    }
    if (monitorSets && config.task === 'classify' && (info.step % monitorEvery === 0 || info.step === config.steps)) {
      const loss = sinceLast.reduce((a, b) => a + b, 0) / sinceLast.length;
      const point = monitorPoint(model, config.model, monitorSets, info.step, loss);
      monitor.push(point);
      log.info('classifier monitor', { ...point });
      sinceLast = [];
    }
  };

  let results: SplitResults;
  if (config.task === 'classify') {
    const c: ClassifyTrainConfig = config;
    const shape = { ...classifyInput(c.model), truth: truth?.chest };
    // augment: scans cached uncropped, a fresh crop/flip per window every step (paper 4.1.2); else the whole slice
    const loaded = await loadClassifyTraining(trainRows, { ...shape, augmentation: viewAugmentation(c) });
    for (const s of loaded.skipped) log.warn('training row skipped', { row: s.row, patient: s.patient, reason: s.reason });
    const patients = loaded.patients.map((p) => p.patient);
    if (patients.length === 0) throw noData('labelled classify rows in the train split', sel, [...sel.skipped, ...loaded.skipped]);
    const positives = patients.filter((p) => p.label === 1).length;
    log.info('training classifier', { patients: patients.length, positive: positives, slices: patients.reduce((a, p) => a + p.slices, 0), mode: c.model.mode, lung_crop: c.model.lungCrop, augment: c.augment ? 'per batch' : 'none', crop_scale: c.cropScale, scanner_jitter: c.scannerJitter, sampling: c.sampling, backend: backend.backend, from_step: startStep, steps: c.steps });
    if (positives === 0 || positives === patients.length) log.warn('the train split holds one class only: the classifier cannot learn to separate NCP from the rest');
    const heldout: Record<string, PatientSlices[]> = {};
    for (const split of c.evalSplits.filter((s) => s !== 'train')) {
      heldout[split] = (await loadClassifyPatients(sel.rows.filter((r) => r.entry.split === split), { ...shape, augmentSeed: null })).patients;
    }
    monitorSets = { train: patients, trainAugmented: fixedAugmentedCopies(loaded.patients, c.seed ^ 0x5eed), heldout };
    ({ model, optimizer } = start ?? { model: (await classifierFromConfig(c.model, c.seed)).model, optimizer: adam(c.model.learningRate) });
    if (startStep < c.steps) {
      await trainClassifier(patients, c.model, {
        steps: c.steps, seed: c.seed, patientsPerBatch: c.patientsPerBatch, maxSlicesPerPatient: c.maxSlicesPerPatient, sampling: c.sampling, model, optimizer, startStep, onStep,
        ...(c.augment ? { view: loaded.view } : {}),
      });
    }
    progress.done();
    results = await evaluateClassifierRows(model, c.model, sel.rows, c.evalSplits, truth);
  } else {
    const c: SegmentTrainConfig = config;
    // cached unaugmented; trainSegmenter draws flip/brightness per batch (seeded by step)
    const loaded = await loadSegmentImages(trainRows, { size: c.model.encoder.inputSize, channels: c.model.encoder.inputChannels, augmentSeed: null });
    for (const s of loaded.skipped) log.warn('training row skipped', { row: s.row, patient: s.patient, reason: s.reason });
    if (c.model.loss !== 'LT' && loaded.labelled.length === 0) throw noData('segment rows with a mask in the train split', sel, [...sel.skipped, ...loaded.skipped]);
    if (c.model.loss !== 'LS' && loaded.unlabelled.length === 0) throw noData(`segment rows without a mask (unlabelled thin slices, needed by loss ${c.model.loss}) in the train split`, sel, [...sel.skipped, ...loaded.skipped]);
    log.info('training segmenter', { labelled_slices: loaded.labelled.length, unlabelled_slices: loaded.unlabelled.length, decoder: c.model.decoder, loss: c.model.loss, backend: backend.backend, from_step: startStep, steps: c.steps });
    ({ model, optimizer } = start ?? { model: (await segmenterFromConfig(c.model, c.seed)).model, optimizer: adam(c.model.learningRate) });
    if (startStep < c.steps) {
      await trainSegmenter(loaded.labelled, loaded.unlabelled, c.model, { steps: c.steps, seed: c.seed, batchSize: c.batchSize, augment: c.augment ? PAPER_SEG_AUGMENT : null, model, optimizer, startStep, onStep });
    }
    progress.done();
    results = await evaluateSegmenterRows(model, c.model, sel.rows, c.evalSplits, truth);
  }
  if (startStep >= config.steps) log.info('checkpoint already at the last step: evaluating only', { step: startStep });

  const evaluation = {
    ...evaluationJson(config.task, backend, config.seed, config, results.splits),
    steps: config.steps, resumed_from: start ? startStep : null, manifests: opts.manifests.map((m) => resolve(m)), checkpoint: ckpt,
    ...stepSummary(stepMs, losses),
    ...(config.task === 'classify' ? { monitor } : {}),
    skipped: [...sel.skipped, ...results.skipped],
  };
  const evaluationPath = join(out, 'evaluation.json');
  await writeJsonFile(evaluationPath, evaluation);
  model.dispose();
  return { evaluation, evaluationPath, checkpoint: ckpt, losses, stepMs };
}
