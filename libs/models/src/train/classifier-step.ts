import * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig } from '../classifier/config.js';
import { runClassifier } from '../classifier/model.js';
import { classifierLoss, type PatientSpan } from '../classifier/objective.js';
import { step } from './step.js';

export interface ClassifierBatch {
  /** slices of all patients, each patient's contiguous: [N, H, W, channels] */
  x: tf.Tensor4D;
  spans: PatientSpan[];
}

export function classifierStep(model: tf.LayersModel, cfg: ClassifierConfig, optimizer: tf.Optimizer, batch: ClassifierBatch): number {
  return step(model, optimizer, () => classifierLoss(model, runClassifier(model, batch.x, true), batch.spans, cfg), cfg.weightDecay);
}
