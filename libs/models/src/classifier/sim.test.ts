import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { patientLogit, patientProbabilityProductForm, sectionLogits } from './sim.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const ramp = (n: number) => tf.tensor2d(Array.from({ length: n }, (_, i) => [i, -i]));

describe('SIM (Eq. 4–6)', () => {
  it('Eq. 6: section logit is the mean of the top-k slice scores, per class', () => {
    // n = 35, l_s = 16: sections [0,16) and [16,35); k = 8
    expect(sectionLogits(ramp(35), 16, 8).arraySync()).toEqual([[11.5, -3.5], [30.5, -19.5]]);
    // one short section: k capped at n = 3
    expect(sectionLogits(tf.tensor2d([[1], [2], [3]]), 16, 8).arraySync()).toEqual([[2]]);
  });

  it('patient logit is the sum of section logits', () => {
    expect(Array.from(patientLogit(ramp(35), 16, 8).dataSync())).toEqual([42, -23]);
  });

  it('Eq. 5: product form equals σ(Σ z_i)', () => {
    for (const z of [[0.3, -1.2, 2.0], [-3, -2.5, 1], [5], [-30, -25, 20], [12, -11, 0.5, 0.25]]) {
      const product = patientProbabilityProductForm(z.map(sigmoid));
      const logit = sigmoid(z.reduce((a, b) => a + b, 0));
      // 1/σ(z) − 1 for large z cancels catastrophically in the product form: ~1e-7 relative at z = 20.
      expect(Math.abs(product - logit) / logit).toBeLessThan(1e-6);
    }
  });

  it('Eq. 5 at extreme probabilities: the product form breaks, the logit form does not', () => {
    // σ(100) rounds to 1 in float64, so 1/P − 1 = 0 and the product form says P = 1; truth is σ(−100).
    const z = [100, 100, -300];
    expect(patientProbabilityProductForm(z.map(sigmoid))).toBe(1);
    const scores = tf.tensor2d([[100], [100], [-300]]);
    const logit = patientLogit(scores, 1, 8).dataSync()[0];
    expect(logit).toBe(-100);
    expect(sigmoid(logit)).toBeCloseTo(3.72e-44, 46);
  });

  it('is differentiable end to end (k-max over sections)', () => {
    const g = tf.grad((s: tf.Tensor) => patientLogit(s as tf.Tensor2D, 16, 8).sum())(ramp(35));
    const grad = g.arraySync() as number[][];
    // class 0: the top 8 of each section get 1/8; class 1 (scores −i): the 8 smallest i per section.
    expect(grad.slice(8, 16).every((r) => r[0] === 1 / 8)).toBe(true);
    expect(grad.slice(27, 35).every((r) => r[0] === 1 / 8)).toBe(true);
    expect(grad.slice(0, 8).every((r) => r[0] === 0 && r[1] === 1 / 8)).toBe(true);
    expect(grad.flat().reduce((a, b) => a + b, 0)).toBeCloseTo(4, 6);
  });
});
