import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-conv-filter-grad.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

describe('Conv2DBackpropFilter on wasm', () => {
  it('equals the cpu backend for strides, paddings and kernel sizes used by the models', async () => {
    registerWasmTrainingKernels();
    const cases: [number, 'same' | 'valid', number][] = [[1, 'same', 3], [2, 'same', 3], [2, 'valid', 1], [2, 'same', 7], [1, 'valid', 3]];
    for (const [s, pad, k] of cases) {
      await tf.setBackend('cpu');
      const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(x, tf.zeros([k, k, 3, 4]) as tf.Tensor4D, s, pad).shape, 0, 1, 'float32', 2);
      const f = (xx: tf.Tensor4D, dd: tf.Tensor) => (w: tf.Tensor) => tf.conv2d(xx, w as tf.Tensor4D, s, pad).mul(dd).sum();
      const ref = tf.grad(f(x, dy))(tf.zeros([k, k, 3, 4])).dataSync();
      const [xd, dyd] = [x.dataSync().slice(), dy.dataSync().slice()];
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const got = tf.tidy(() => tf.grad(f(tf.tensor4d(xd, x.shape), tf.tensor(dyd, dy.shape)))(tf.zeros([k, k, 3, 4])).dataSync());
      expect(tf.memory().numTensors).toBe(before);
      expect(maxAbsDiff(got, ref)).toBeLessThan(1e-4);
    }
  });
});
