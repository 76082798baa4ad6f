import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { classCounts, classWeights } from './class-weights.js';
import { supervisedLoss } from './losses.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('optional class weights of L_S', () => {
  it('counts pixels per class and rejects labels outside the classes', () => {
    expect(classCounts([[0, 0, 1], [2, 0, 0]], 4)).toEqual([4, 1, 1, 0]);
    expect(() => classCounts([[0, 5]], 4)).toThrow(/label 5 outside 0..3/);
  });

  it("'inverse-sqrt-frequency': w_c ∝ 1/√f_c with Σ f_c w_c = 1; an absent class gets the largest weight", () => {
    // f = [0.81, 0.09, 0.1, 0] → raw 1/0.9, 1/0.3, 1/√0.1; absent → 1/0.3
    const w = classWeights([81, 9, 10, 0], 'inverse-sqrt-frequency')!;
    const raw = [1 / 0.9, 1 / 0.3, 1 / Math.sqrt(0.1), 1 / 0.3];
    const mean = 0.81 * raw[0] + 0.09 * raw[1] + 0.1 * raw[2];
    raw.forEach((x, i) => expect(w[i]).toBeCloseTo(x / mean, 10));
    expect(0.81 * w[0] + 0.09 * w[1] + 0.1 * w[2]).toBeCloseTo(1, 12);
    expect(classWeights([81, 9, 10, 0], 'none')).toBeNull();
    expect(() => classWeights([0, 0], 'inverse-sqrt-frequency')).toThrow(/at least one labelled pixel/);
  });

  it('weighted Eq. 15: each pixel term times the weight of its true class', () => {
    // p = [0.75, 0.25] at pixel 0 (true 0), [0.5, 0.5] at pixel 1 (true 1)
    const logits = tf.tensor4d([Math.log(3), 0, 0, 0], [1, 1, 2, 2]);
    const y = tf.tensor3d([[[0, 1]]]);
    expect(supervisedLoss(logits, y, [2, 3]).dataSync()[0]).toBeCloseTo(-(2 * Math.log(0.75) + 3 * Math.log(0.5)) / 4, 6);
    expect(supervisedLoss(logits, y, [1, 1]).dataSync()[0]).toBeCloseTo(supervisedLoss(logits, y).dataSync()[0], 7);
    expect(() => supervisedLoss(logits, y, [1, 1, 1])).toThrow(/3 class weights for 2 classes/);
  });
});
