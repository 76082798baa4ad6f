import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { kMaxMean } from './k-max-mean.js';
import { maxAbsDiff, numericGrad } from '../testing/finite-difference.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('kMaxMean (k-max of Eq. 6)', () => {
  it('averages the k largest entries per row', () => {
    const x = tf.tensor2d([[1, 5, 3, 4], [-2, -1, -7, 0]]);
    expect(Array.from(kMaxMean(x, 2).dataSync())).toEqual([4.5, -0.5]);
    expect(Array.from(kMaxMean(x, 4).dataSync())).toEqual([13 / 4, -10 / 4]);
    expect(Array.from(kMaxMean(x, 1).dataSync())).toEqual([5, 0]);
  });

  it('has the gradient 1/k on the selected entries and 0 elsewhere (tf.topk has none)', () => {
    const x = tf.tensor2d([[1, 5, 3, 4], [-2, -1, -7, 0]]);
    const g = tf.grad((t: tf.Tensor) => kMaxMean(t, 2).mul(tf.tensor1d([1, 3])).sum())(x);
    expect(Array.from(g.dataSync())).toEqual([0, 0.5, 0, 0.5, 0, 1.5, 0, 1.5]);
  });

  it('matches finite differences', () => {
    const x = tf.randomNormal([3, 7], 0, 1, 'float32', 3);
    const w = tf.randomNormal([3], 0, 1, 'float32', 4);
    const f = (t: tf.Tensor) => kMaxMean(t, 3).mul(w).sum() as tf.Scalar;
    const g = tf.grad(f)(x).dataSync();
    expect(maxAbsDiff(g, numericGrad(f, x, 1e-3))).toBeLessThan(2e-3);
  });

  it('rejects k outside [1, n]', () => {
    expect(() => kMaxMean(tf.zeros([2, 3]), 4)).toThrow(/k=4/);
    expect(() => kMaxMean(tf.zeros([2, 3]), 0)).toThrow(/k=0/);
  });
});
