/**
 * Where a classifier's ranking holds and where it breaks: across patients (the patient score, and
 * the mean and the maximum of a patient's slice scores) and within patients (a patient's lesion
 * slices against its own other slices). A model whose slices rank well within each patient but
 * whose patient-level numbers sit at chance carries a per-patient score offset. Pure.
 */
import type { PatientPrediction } from '../train/evaluate-classifier.js';
import { rocAuc } from './roc.js';

export interface ScoreRanking {
  patients: number;
  /** AUC of the patient probability (the model's own patient score) */
  patient_auc: number;
  /** AUC of the mean and of the maximum slice logit per patient */
  mean_slice_logit_auc: number;
  max_slice_logit_auc: number;
  /** mean over patients with lesion and non-lesion slices of the AUC of their own slices */
  within_patient_slice_auc: number;
  within_patients: number;
  /** mean slice logit over every slice */
  mean_slice_logit: number;
}

const logit = (p: number) => Math.log(p / (1 - p));
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export function scoreRanking(preds: readonly PatientPrediction[]): ScoreRanking {
  if (preds.length === 0) throw new Error('scoreRanking: no patients');
  const labels = preds.map((p) => p.label);
  const sliceLogits = preds.map((p) => p.sliceProbabilities.map(logit));
  const within = preds.flatMap((p) => {
    const auc = rocAuc(p.sliceLabels, p.sliceProbabilities);
    return Number.isNaN(auc) ? [] : [auc];
  });
  return {
    patients: preds.length,
    patient_auc: rocAuc(labels, preds.map((p) => p.probability)),
    mean_slice_logit_auc: rocAuc(labels, sliceLogits.map(mean)),
    max_slice_logit_auc: rocAuc(labels, sliceLogits.map((l) => Math.max(...l))),
    within_patient_slice_auc: within.length ? mean(within) : Number.NaN,
    within_patients: within.length,
    mean_slice_logit: mean(sliceLogits.flat()),
  };
}
