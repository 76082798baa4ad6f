/**
 * What a classifier training run logs at each checkpoint, so memorisation shows while it trains:
 * patient- and image-level AUC on the training patients in the evaluation view (whole slice),
 * on one fixed augmented view of them (the kind of view training sees), and on the held-out
 * splits of the same centres. A training AUC far above the held-out one is memorisation; the
 * frozen-view bug showed as 1.00 on the seen view against 0.86 whole-slice.
 */
import type * as tf from '@tensorflow/tfjs';
import { predictPatients, rng, summariseClassifier, type ClassifierConfig, type PatientSlices } from '@unbox/models';
import { augmentedWindow, type ViewPatient } from './classify-views.js';

export interface AucPair {
  patient_auc: number;
  image_auc: number;
}

export interface MonitorPoint {
  step: number;
  /** mean training loss over the steps since the previous point */
  loss: number;
  /** training patients, evaluation view (whole slice) */
  train: AucPair;
  /** training patients, one fixed random crop/flip per scan (seeded; the same at every point) */
  train_augmented: AucPair;
  /** held-out splits of the training centres, evaluation view */
  heldout: Record<string, AucPair>;
}

/** One fixed augmented copy of each training patient (drawn from `seed`), for train_augmented. */
export function fixedAugmentedCopies(patients: ViewPatient[], seed: number): PatientSlices[] {
  const r = rng(seed);
  return patients.map(({ patient, scans }) => ({ ...patient, data: augmentedWindow(scans, { patient, start: 0, count: patient.slices }, r) }));
}

function aucs(model: tf.LayersModel, cfg: ClassifierConfig, patients: PatientSlices[]): AucPair {
  const s = summariseClassifier(predictPatients(model, cfg, patients));
  return { patient_auc: s.patient.auc, image_auc: s.image.auc };
}

export interface MonitorSets {
  train: PatientSlices[];
  trainAugmented: PatientSlices[];
  heldout: Record<string, PatientSlices[]>;
}

export function monitorPoint(model: tf.LayersModel, cfg: ClassifierConfig, sets: MonitorSets, step: number, loss: number): MonitorPoint {
  const heldout: Record<string, AucPair> = {};
  for (const [split, ps] of Object.entries(sets.heldout)) if (ps.length > 0) heldout[split] = aucs(model, cfg, ps);
  return { step, loss, train: aucs(model, cfg, sets.train), train_augmented: aucs(model, cfg, sets.trainAugmented), heldout };
}
