import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { noisyLoss, noisyPositive, transition } from './ncm.js';
import { maxAbsDiff, numericGrad } from '../testing/finite-difference.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
const ln3 = Math.log(3);

describe('NCM (Eq. 8–11)', () => {
  // one slice, one class; T laid out [i][j] (i noisy, j true) = [[0, 0], [ln 3, 0]]
  const T = tf.tensor2d([[0, 0, ln3, 0]]);

  it('Eq. 9: Q^c_ij is a softmax over the noisy index i (columns sum to 1)', () => {
    const q = transition(T).arraySync() as number[][][][];
    expect(q[0][0][0][0]).toBeCloseTo(0.25, 6); // Q_00 = 1 / (1 + 3)
    expect(q[0][0][1][0]).toBeCloseTo(0.75, 6); // Q_10 = 3 / (1 + 3)
    expect(q[0][0][0][1]).toBeCloseTo(0.5, 6);
    expect(q[0][0][1][1]).toBeCloseTo(0.5, 6);
  });

  it('Eq. 10: P(z=1|I) = Σ_j Q_1j P(y=j|I)', () => {
    // s = 0 → P(y=1) = 0.5: P(z=1) = 0.75·0.5 + 0.5·0.5 = 0.625
    expect(noisyPositive(tf.tensor2d([[0]]), T).dataSync()[0]).toBeCloseTo(0.625, 6);
    // s = ln 3 → P(y=1) = 0.75: P(z=1) = 0.75·0.25 + 0.5·0.75 = 0.5625
    expect(noisyPositive(tf.tensor2d([[ln3]]), T).dataSync()[0]).toBeCloseTo(0.5625, 6);
  });

  it('Eq. 11: mean over slices of the summed per-class cross-entropy of P(z|I)', () => {
    const s = tf.tensor2d([[0], [ln3]]);
    const t = tf.tensor2d([[0, 0, ln3, 0], [0, 0, ln3, 0]]);
    const got = noisyLoss(s, t, tf.tensor2d([[1], [0]])).dataSync()[0];
    expect(got).toBeCloseTo((-Math.log(0.625) - Math.log(1 - 0.5625)) / 2, 5);
  });

  it('gradients w.r.t. scores and T match finite differences', () => {
    const s = tf.randomNormal([3, 2], 0, 1, 'float32', 1) as tf.Tensor2D;
    const t = tf.randomNormal([3, 8], 0, 1, 'float32', 2) as tf.Tensor2D;
    const y = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
    const fs = (x: tf.Tensor) => noisyLoss(x as tf.Tensor2D, t, y);
    const ft = (x: tf.Tensor) => noisyLoss(s, x as tf.Tensor2D, y);
    expect(maxAbsDiff(tf.grad(fs)(s).dataSync(), numericGrad(fs, s))).toBeLessThan(2e-3);
    expect(maxAbsDiff(tf.grad(ft)(t).dataSync(), numericGrad(ft, t))).toBeLessThan(2e-3);
  });
});
