/**
 * One optimisation step: gradients of (loss + L2 weight decay) w.r.t. every trainable weight,
 * applied by the optimiser (Adam, lr 1e-3 per 3.4). Returns the loss as a number.
 */
import * as tf from '@tensorflow/tfjs';
import { weightDecay } from '../classifier/losses.js';

export function adam(learningRate = 1e-3): tf.AdamOptimizer {
  return tf.train.adam(learningRate) as tf.AdamOptimizer;
}

/** Kernels (conv and dense weights, not biases or batch-norm parameters) receive weight decay. */
export function kernels(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.filter((w) => /kernel$/.test(w.originalName)).map((w) => w.read() as tf.Variable);
}

export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function step(model: tf.LayersModel, optimizer: tf.Optimizer, loss: () => tf.Scalar, wd: number): number {
  const vars = trainableVariables(model);
  const ks = kernels(model);
  const { value, grads } = tf.variableGrads(() => tf.add(loss(), weightDecay(ks, wd)) as tf.Scalar, vars);
  optimizer.applyGradients(grads);
  const v = value.dataSync()[0];
  value.dispose();
  tf.dispose(grads);
  if (!Number.isFinite(v)) throw new Error(`training diverged: loss is ${v}`);
  return v;
}
