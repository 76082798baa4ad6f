/**
 * Multimodal training (3.3.2): L = L_S on labelled thick slices + β L_T on unlabelled thin ones
 * (Eq. 14), optimised alternately — one thick step, one thin step. The ablations of Table 5
 * keep only one kind of step.
 */
import * as tf from '@tensorflow/tfjs';
import type { SegLoss, SegmenterConfig } from '../segmenter/config.js';
import { pearsonLoss, supervisedLoss } from '../segmenter/losses.js';
import { step } from './step.js';

export type SegBatch = { kind: 'thick'; x: tf.Tensor4D; y: tf.Tensor3D } | { kind: 'thin'; x: tf.Tensor4D };

/** Which batch kind step `i` takes. */
export function segmenterSchedule(loss: SegLoss, i: number): 'thick' | 'thin' {
  if (loss === 'LS') return 'thick';
  if (loss === 'LT') return 'thin';
  return i % 2 === 0 ? 'thick' : 'thin';
}

/** One optimiser step; `classWeights` (cfg.classWeighting, from the training labels) weight L_S. */
export function segmenterStep(model: tf.LayersModel, cfg: SegmenterConfig, optimizer: tf.Optimizer, batch: SegBatch, classWeights?: readonly number[] | null): number {
  return step(model, optimizer, () => {
    const logits = model.apply(batch.x, { training: true }) as tf.Tensor4D;
    return batch.kind === 'thick' ? supervisedLoss(logits, batch.y, classWeights) : (pearsonLoss(logits).mul(cfg.beta) as tf.Scalar);
  }, cfg.weightDecay);
}
