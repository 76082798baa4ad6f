/**
 * Classifier evaluation: every slice of every patient through the network (in chunks), patient
 * probability by the mode's rule (SIM/max-pool/mean of slices), image probability σ(s_c) of the
 * positive class (clean posterior, as NCM prescribes at inference). Summaries per centre.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig } from '../classifier/config.js';
import { runClassifier } from '../classifier/model.js';
import { patientProbabilities } from '../classifier/objective.js';
import { classificationSummary, groupBy, type ClassificationSummary } from '../metrics/aggregate.js';
import { checkPatients, type PatientSlices } from './datasets.js';
import { labelVector } from './train-classifier.js';

export interface PatientPrediction {
  id: string;
  centre?: string;
  label: 0 | 1;
  probability: number;
  sliceProbabilities: number[];
  sliceLabels: (0 | 1)[];
}

export function predictPatients(model: tf.LayersModel, cfg: ClassifierConfig, patients: PatientSlices[], chunk = 64): PatientPrediction[] {
  checkPatients(patients, cfg.backbone.inputSize, cfg.backbone.inputChannels);
  const positive = cfg.numClasses - 1;
  return patients.map((p) => {
    const per = p.size * p.size * p.channels;
    const parts: { scores: tf.Tensor2D; pooled: tf.Tensor2D }[] = [];
    for (let s = 0; s < p.slices; s += chunk) {
      const n = Math.min(chunk, p.slices - s);
      parts.push(tf.tidy(() => {
        const out = runClassifier(model, tf.tensor4d(p.data.subarray(s * per, (s + n) * per), [n, p.size, p.size, p.channels]), false);
        return { scores: out.scores, pooled: out.pooled };
      }));
    }
    const result = tf.tidy(() => {
      const out = { scores: tf.concat(parts.map((q) => q.scores)) as tf.Tensor2D, pooled: tf.concat(parts.map((q) => q.pooled)) as tf.Tensor2D };
      const prob = patientProbabilities(model, out, [{ start: 0, count: p.slices, label: labelVector(p.label, cfg.numClasses) }], cfg)[0][positive];
      const slices = Array.from(tf.sigmoid(out.scores).slice([0, positive], [-1, 1]).dataSync());
      return { prob, slices };
    });
    tf.dispose(parts.flatMap((q) => [q.scores, q.pooled]));
    return {
      id: p.id, centre: p.centre, label: p.label, probability: result.prob, sliceProbabilities: result.slices,
      sliceLabels: p.sliceLabels ?? Array.from({ length: p.slices }, () => p.label),
    };
  });
}

export interface ClassifierSplitEvaluation {
  centre?: string;
  patient: ClassificationSummary;
  image: ClassificationSummary;
  centres: Record<string, { patient: ClassificationSummary; image: ClassificationSummary }>;
}

function summarise(preds: PatientPrediction[], curves: boolean) {
  return {
    patient: classificationSummary(preds.map((p) => p.label), preds.map((p) => p.probability), { curves }),
    image: classificationSummary(preds.flatMap((p) => p.sliceLabels), preds.flatMap((p) => p.sliceProbabilities)),
  };
}

export function summariseClassifier(preds: PatientPrediction[]): ClassifierSplitEvaluation {
  const byCentre = groupBy(preds, (p) => p.centre ?? 'unknown');
  const centres = Object.fromEntries([...byCentre].map(([c, ps]) => [c, summarise(ps, false)]));
  const out: ClassifierSplitEvaluation = { ...summarise(preds, true), centres };
  if (byCentre.size === 1) out.centre = [...byCentre.keys()][0];
  return out;
}
