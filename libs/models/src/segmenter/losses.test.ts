import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fDivergenceLoss, pearsonLoss, supervisedLoss } from './losses.js';
import { maxAbsDiff, numericGrad } from '../testing/finite-difference.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

// 1×1×2 image, C = 2; logits chosen so p = [0.75, 0.25] and [0.5, 0.5]
const logits = tf.tensor4d([Math.log(3), 0, 0, 0], [1, 1, 2, 2]);

describe('segmentation losses (Eq. 14–17)', () => {
  it('Eq. 15: −(1/HWC) Σ y log p', () => {
    const y = tf.tensor3d([[[0, 1]]]);
    expect(supervisedLoss(logits, y).dataSync()[0]).toBeCloseTo(-(Math.log(0.75) + Math.log(0.5)) / 4, 6);
  });

  it('Eq. 17: −(C/HW) Σ p²', () => {
    const want = -(2 / 2) * (0.75 ** 2 + 0.25 ** 2 + 0.5 ** 2 + 0.5 ** 2);
    expect(pearsonLoss(logits).dataSync()[0]).toBeCloseTo(want, 6);
  });

  it('Eq. 17 is Eq. 16 with f(x) = x² − 1, less its constant 1', () => {
    const l = tf.randomNormal([2, 3, 4, 5], 0, 2, 'float32', 3) as tf.Tensor4D;
    const f16 = fDivergenceLoss(l, (x) => tf.sub(tf.square(x), 1)).dataSync()[0];
    expect(f16 - pearsonLoss(l).dataSync()[0]).toBeCloseTo(1, 5);
  });

  it('Eq. 17 gradient matches its analytic form and finite differences; Eq. 15 gradient too', () => {
    const l = tf.randomNormal([1, 2, 2, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const fT = (x: tf.Tensor) => pearsonLoss(x as tf.Tensor4D);
    const gT = tf.grad(fT)(l);
    expect(maxAbsDiff(gT.dataSync(), numericGrad(fT, l, 1e-2))).toBeLessThan(1e-3);
    // analytic: ∂/∂l_k of −(C/HW) Σ_c p_c² = −(C/HW)·2 p_k (p_k − Σ_c p_c²)
    const p = tf.softmax(l, -1);
    const s2 = p.square().sum(-1, true);
    const analytic = p.mul(p.sub(s2)).mul(-2 * 3 / 4);
    expect(maxAbsDiff(gT.dataSync(), analytic.dataSync())).toBeLessThan(1e-6);
    const y = tf.tensor3d([[[0, 2], [1, 1]]]);
    const fS = (x: tf.Tensor) => supervisedLoss(x as tf.Tensor4D, y);
    expect(maxAbsDiff(tf.grad(fS)(l).dataSync(), numericGrad(fS, l, 1e-2))).toBeLessThan(1e-3);
  });
});
