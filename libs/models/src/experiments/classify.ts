/**
 * Table 2's comparison on in-memory data: one model per mode (image-level, max-pool, SIM,
 * SIM+NCM) trained with the same data, seed and budget, evaluated at patient and image level on
 * the test patients (the paper's unseen external set). Rows follow notes/result-formats.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierConfigInput, ClassifierMode } from '../classifier/config.js';
import { trainClassifier, type TrainOptions } from '../train/train-classifier.js';
import { predictPatients, summariseClassifier, type ClassifierSplitEvaluation } from '../train/evaluate-classifier.js';
import type { PatientSlices } from '../train/datasets.js';
import type { ClassificationSummary } from '../metrics/aggregate.js';

/** One row of Table 2: a summary without its curves, for one method and level. */
export type ClassifyRow = Omit<ClassificationSummary, 'roc' | 'pr'> & {
  method: ClassifierMode;
  level: 'patient' | 'image';
  train_s: number;
};

export interface ClassifyComparison {
  rows: ClassifyRow[];
  evaluations: Record<string, ClassifierSplitEvaluation>;
  losses: Record<string, number[]>;
}

export const TABLE2_MODES: ClassifierMode[] = ['image-level', 'max-pool', 'sim', 'sim+ncm'];

export async function compareClassifiers(train: PatientSlices[], test: PatientSlices[], config: ClassifierConfigInput, opts: TrainOptions, modes = TABLE2_MODES,
  onMode?: (mode: ClassifierMode, evaluation: ClassifierSplitEvaluation) => void): Promise<ClassifyComparison> {
  const out: ClassifyComparison = { rows: [], evaluations: {}, losses: {} };
  for (const mode of modes) {
    const t0 = performance.now();
    const { model, config: cfg, losses } = await trainClassifier(train, { ...config, mode }, opts);
    const trainS = (performance.now() - t0) / 1000;
    const ev = summariseClassifier(predictPatients(model, cfg, test));
    model.dispose();
    out.evaluations[mode] = ev;
    out.losses[mode] = losses;
    for (const level of ['patient', 'image'] as const) {
      const s = ev[level];
      out.rows.push({ method: mode, level, n: s.n, acc: s.acc, precision: s.precision, sensitivity: s.sensitivity, specificity: s.specificity, auc: s.auc, train_s: +trainS.toFixed(1) });
    }
    onMode?.(mode, ev);
    if (tf.memory().numTensors > 1e5) throw new Error(`tensor leak: ${tf.memory().numTensors} tensors alive after mode ${mode}`);
  }
  return out;
}
