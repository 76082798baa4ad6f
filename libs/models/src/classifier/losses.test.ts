import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bceWithLogits, totalLoss, weightDecay } from './losses.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('classification losses', () => {
  it('Eq. 7: Σ_c −[y log P + (1−y) log(1−P)] with P = σ(z)', () => {
    // z = [0, ln 3] → P = [0.5, 0.75]; y = [1, 0] → −log 0.5 − log 0.25 = log 8
    expect(bceWithLogits(tf.tensor1d([0, Math.log(3)]), tf.tensor1d([1, 0])).dataSync()[0]).toBeCloseTo(Math.log(8), 6);
    // rows are averaged: second row z = [0, 0], y = [0, 1] → 2 log 2
    const two = bceWithLogits(tf.tensor2d([[0, Math.log(3)], [0, 0]]), tf.tensor2d([[1, 0], [0, 1]])).dataSync()[0];
    expect(two).toBeCloseTo((Math.log(8) + 2 * Math.log(2)) / 2, 6);
  });

  it('Eq. 7 stays finite and exact at extreme logits', () => {
    expect(bceWithLogits(tf.tensor1d([-100]), tf.tensor1d([1])).dataSync()[0]).toBeCloseTo(100, 3);
    expect(bceWithLogits(tf.tensor1d([200]), tf.tensor1d([1])).dataSync()[0]).toBeCloseTo(0, 6);
  });

  it('Eq. 12: L = L_cls + λ L_noisy', () => {
    expect(totalLoss(tf.scalar(2), tf.scalar(3), 1e-4).dataSync()[0]).toBeCloseTo(2.0003, 6);
    expect(totalLoss(tf.scalar(2), null, 1e-4).dataSync()[0]).toBe(2);
  });

  it('weight decay is (wd/2)·Σ‖W‖²', () => {
    expect(weightDecay([tf.tensor1d([1, 2]), tf.tensor2d([[3]])], 1e-5).dataSync()[0]).toBeCloseTo(0.5e-5 * 14, 10);
  });
});
