/**
 * Trains a classifier on in-memory patients. Each step takes `patientsPerBatch` patients at
 * random (seeded) and, from each, a window of up to `maxSlicesPerPatient` consecutive slices
 * (SIM's sections need consecutive slices; the window bounds CPU memory and time). With a
 * `view` (WindowView) every window is materialised afresh each step, e.g. a new random crop and
 * flip (paper 4.1.2) drawn from that step's own seeded generator (viewRng), so augmentation is per
 * batch, not frozen per scan, and a resumed run draws exactly what an uninterrupted one would.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { classifierFromConfig } from './build.js';
import { ClassifierConfigSchema, type ClassifierConfig, type ClassifierConfigInput } from '../classifier/config.js';
import type { PatientSpan } from '../classifier/objective.js';
import { classifierStep, type ClassifierBatch } from './classifier-step.js';
import { adam } from './step.js';
import { checkPatients, type PatientSlices } from './datasets.js';
import { randInt, rng, stepSeed } from './random.js';
import { setDropoutStep } from '../layers/step-dropout.js';
import { saveCheckpoint } from './checkpoint.js';

/**
 * The per-batch hook: the slices of one training window as the model sees them in this step
 * (count × size × size × channels values, size and channels of the model), e.g. a fresh random
 * crop/resize/flip of the patient's cached volume. It must draw randomness only from `r` (the
 * step's seeded generator), so a seed reproduces every batch and `--resume` replays them.
 * Without a view a window is the patient's stored slices (`patient.data`), unchanged.
 */
export type WindowView = (window: SliceWindow, r: () => number) => Float32Array;

/** The generator a step's views draw from: a function of (seed, step) alone, so resuming needs no replay. */
export function viewRng(seed: number, step: number): () => number {
  return rng(stepSeed(seed, step));
}

export interface TrainOptions {
  steps: number;
  seed: number;
  patientsPerBatch?: number;
  maxSlicesPerPatient?: number;
  /** per-batch window materialisation (augmentation); draws from viewRng(seed, step) */
  view?: WindowView;
  /** how each step's patients are drawn (see PatientSampling); default 'uniform' */
  sampling?: PatientSampling;
  /** resume: a model and optimiser from a checkpoint, and the step it stopped at */
  model?: tf.LayersModel;
  optimizer?: tf.Optimizer;
  startStep?: number;
  onStep?: (info: { step: number; loss: number; images: number; ms: number }) => void | Promise<void>;
  /** save a checkpoint (model, optimiser, state) every `every` steps and after the last */
  checkpoint?: { dir: string; every: number };
}

/** Saves the periodic/final checkpoint when due. */
export async function maybeCheckpoint(opts: TrainOptions, step: number, model: tf.LayersModel, optimizer: tf.Optimizer, config: unknown): Promise<void> {
  const c = opts.checkpoint;
  if (!c || (step % c.every !== 0 && step !== opts.steps)) return;
  await saveCheckpoint(c.dir, model, optimizer, { step, seed: opts.seed, config });
}

/** The label vector y_c of a patient: one-hot over 2 classes, or [y] for a single sigmoid. */
export function labelVector(label: 0 | 1, classes: number): number[] {
  if (classes === 1) return [label];
  if (classes === 2) return label === 1 ? [0, 1] : [1, 0];
  throw new Error(`binary patient labels need numClasses 1 or 2, config has ${classes}`);
}

/** A window of up to `maxSlices` consecutive slices of one patient (SIM's sections need them consecutive). */
export interface SliceWindow { patient: PatientSlices; start: number; count: number }

/** One window of `patient` at a seeded random offset. */
export function sliceWindow(patient: PatientSlices, r: () => number, maxSlices: number): SliceWindow {
  const count = Math.min(patient.slices, maxSlices);
  return { patient, start: randInt(r, patient.slices - count + 1), count };
}

/**
 * 'uniform': every patient of a step drawn at random from all. 'centre-balanced': patients drawn in
 * pairs, each pair one positive and one negative patient of one centre (drawn at random among the
 * centres holding both classes; an odd last patient from all). Every centre then shows both
 * classes equally often, so a feature that only identifies the centre (scanner noise, field of
 * view, slice count: centres differ in prevalence) no longer lowers the loss: a shortcut that
 * fails at an unseen centre.
 */
export const PatientSampling = z.enum(['uniform', 'centre-balanced']);
export type PatientSampling = z.infer<typeof PatientSampling>;

/** The patient draw of one step (pure, from `r`). */
export function samplePatients(patients: PatientSlices[], r: () => number, perBatch: number, sampling: PatientSampling = 'uniform'): PatientSlices[] {
  const any = () => patients[randInt(r, patients.length)];
  if (sampling === 'uniform') return Array.from({ length: perBatch }, any);
  const byCentre = new Map<string, [PatientSlices[], PatientSlices[]]>();
  for (const p of patients) {
    const c = byCentre.get(p.centre ?? '') ?? [[], []];
    c[p.label].push(p);
    byCentre.set(p.centre ?? '', c);
  }
  const both = [...byCentre.values()].filter(([neg, pos]) => neg.length > 0 && pos.length > 0);
  if (both.length === 0) throw new Error('centre-balanced sampling needs a centre with both positive and negative patients');
  const out: PatientSlices[] = [];
  while (out.length + 2 <= perBatch) {
    const [neg, pos] = both[randInt(r, both.length)];
    out.push(pos[randInt(r, pos.length)], neg[randInt(r, neg.length)]);
  }
  if (out.length < perBatch) out.push(any());
  return out;
}

function sampleWindows(patients: PatientSlices[], r: () => number, perBatch: number, maxSlices: number, sampling: PatientSampling = 'uniform'): SliceWindow[] {
  // uniform keeps its original draw order (patient, window, patient, ...) so earlier runs replay unchanged
  if (sampling === 'uniform') return Array.from({ length: perBatch }, () => sliceWindow(patients[randInt(r, patients.length)], r, maxSlices));
  return samplePatients(patients, r, perBatch, sampling).map((p) => sliceWindow(p, r, maxSlices));
}

/**
 * The windows stacked into one slice batch, with each patient's span and label for the SIM loss.
 * `view` (a WindowView with its generator bound, `(w) => view(w, r)`) supplies each window's
 * slices; without it they are copied from `patient.data`.
 */
export function classifierBatch(windows: SliceWindow[], classes: number, view?: (window: SliceWindow) => Float32Array): ClassifierBatch {
  const { size, channels } = windows[0].patient;
  const per = size * size * channels;
  const buf = new Float32Array(windows.reduce((a, w) => a + w.count, 0) * per);
  const spans: PatientSpan[] = [];
  let row = 0;
  for (const w of windows) {
    const slices = view ? view(w) : w.patient.data.subarray(w.start * per, (w.start + w.count) * per);
    if (slices.length !== w.count * per) throw new Error(`patient ${w.patient.id}: the view gave ${slices.length} values for ${w.count} slices of ${size}×${size}×${channels} (${w.count * per} expected)`);
    buf.set(slices, row * per);
    spans.push({ start: row, count: w.count, label: labelVector(w.patient.label, classes) });
    row += w.count;
  }
  return { x: tf.tensor4d(buf, [row, size, size, channels]), spans };
}

export async function trainClassifier(patients: PatientSlices[], cfgIn: ClassifierConfigInput, opts: TrainOptions): Promise<{ model: tf.LayersModel; config: ClassifierConfig; optimizer: tf.Optimizer; losses: number[] }> {
  const { model, config } = opts.model ? { model: opts.model, config: ClassifierConfigSchema.parse(cfgIn) } : await classifierFromConfig(cfgIn, opts.seed);
  checkPatients(patients, config.backbone.inputSize, config.backbone.inputChannels);
  labelVector(0, config.numClasses);
  const optimizer = opts.optimizer ?? adam(config.learningRate);
  const r = rng(opts.seed);
  const perBatch = opts.patientsPerBatch ?? 2;
  const maxSlices = opts.maxSlicesPerPatient ?? 16;
  const start = opts.startStep ?? 0;
  // Replay the sampler over completed steps so a resumed run sees the batches it would have.
  for (let s = 0; s < start; s++) sampleWindows(patients, r, perBatch, maxSlices, opts.sampling);
  const losses: number[] = [];
  for (let s = start; s < opts.steps; s++) {
    const t0 = performance.now();
    const view = opts.view;
    const vr = view ? viewRng(opts.seed, s) : null;
    const batch = classifierBatch(sampleWindows(patients, r, perBatch, maxSlices, opts.sampling), config.numClasses, view && vr ? (w) => view(w, vr) : undefined);
    const images = batch.x.shape[0];
    // dropout masks from (seed, step), like the views: a seed reproduces the run, a resume continues it
    setDropoutStep(model, stepSeed(opts.seed, s));
    const loss = classifierStep(model, config, optimizer, batch);
    batch.x.dispose();
    losses.push(loss);
    await opts.onStep?.({ step: s + 1, loss, images, ms: performance.now() - t0 });
    await maybeCheckpoint(opts, s + 1, model, optimizer, config);
  }
  return { model, config, optimizer, losses };
}
