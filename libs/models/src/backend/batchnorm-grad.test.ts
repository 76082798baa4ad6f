import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { registerTrainingGradients } from './batchnorm-grad.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

/** Gradients of a batch-norm expression w.r.t. every input, batch statistics included. */
function grads(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, w: tf.Tensor): Float32Array[] {
  return tf.tidy(() => {
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, [0, 1, 2]);
      return tf.batchNorm(xx, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-3).mul(w).square().sum();
    };
    return tf.grads(f)([x, gamma, beta]).map((g) => g.dataSync() as Float32Array);
  });
}

describe('FusedBatchNorm gradient without tile', () => {
  // (tfjs's batchNorm gradient needs γ: it saves 'scale', as ours does; tfjs-layers always has γ.)
  it('equals tfjs\'s own gradient for x, γ, β through batch statistics', () => {
    const x = tf.randomNormal([3, 4, 5, 6], 1, 2, 'float32', 1) as tf.Tensor4D;
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const beta = tf.randomNormal([6], 0, 1, 'float32', 3) as tf.Tensor1D;
    const w = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 4);
    const before = grads(x, gamma, beta, w);
    registerTrainingGradients();
    const after = grads(x, gamma, beta, w);
    expect(Math.max(...before[0].map(Math.abs))).toBeGreaterThan(0.1);
    expect(maxAbsDiff(after[0], before[0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(after[1], before[1])).toBeLessThan(1e-3);
    expect(maxAbsDiff(after[2], before[2])).toBeLessThan(1e-3);
  });
});
