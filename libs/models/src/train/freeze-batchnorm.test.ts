import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { batchNormStatisticsFrozen, setBatchNormStatisticsFrozen } from './freeze-batchnorm.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

function net(): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 3] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, kernelInitializer: 'ones', name: 'c_conv' }).apply(input);
  const y = tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: 'c_bn' }).apply(conv) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: y });
}

const stats = (m: tf.LayersModel) => m.getLayer('c_bn').getWeights().slice(2).map((w) => Array.from(w.dataSync()));

describe('setBatchNormStatisticsFrozen (FixBN)', () => {
  it('frozen: training normalises with the moving statistics (hand-computed), which stay as they are', () => {
    const m = net();
    // moving mean 1, variance 4, γ 2, β 0.5 on every channel
    m.getLayer('c_bn').setWeights([tf.fill([3], 2), tf.fill([3], 0.5), tf.fill([3], 1), tf.fill([3], 4)]);
    expect(setBatchNormStatisticsFrozen(m, true)).toBe(1);
    expect(batchNormStatisticsFrozen(m)).toBe(true);
    // conv of ones: each output channel is x0 + x1 + x2 = 5 at every position
    const x = tf.ones([1, 2, 2, 3]).mul(5 / 3);
    const y = (m.apply(x, { training: true }) as tf.Tensor).dataSync();
    const expected = 2 * (5 - 1) / Math.sqrt(4 + 1e-5) + 0.5;
    for (const v of y) expect(v).toBeCloseTo(expected, 5);
    expect(stats(m)).toEqual([[1, 1, 1], [4, 4, 4]]);
  });

  it('released: training uses batch statistics again and updates the moving ones', () => {
    const m = net();
    setBatchNormStatisticsFrozen(m, true);
    expect(setBatchNormStatisticsFrozen(m, false)).toBe(1);
    expect(batchNormStatisticsFrozen(m)).toBe(false);
    const x = tf.tensor4d([1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0], [1, 2, 2, 3]);
    // batch mean 2.5, biased variance 1.25 on each channel (the conv sums the three inputs)
    const y = Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync());
    expect(y[0]).toBeCloseTo((1 - 2.5) / Math.sqrt(1.25 + 1e-5), 4);
    const [mean] = stats(m);
    mean.forEach((v) => expect(v).toBeCloseTo(0.1 * 2.5, 5)); // 0 − (0 − 2.5)·(1 − 0.9)
  });

  it('frozen layers still pass gradients to γ and β', () => {
    const m = net();
    setBatchNormStatisticsFrozen(m, true);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 1);
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
    expect(Object.keys(grads)).toHaveLength(3);
    for (const v of vars) expect(tf.norm(grads[v.name]).dataSync()[0]).toBeGreaterThan(0);
  });

  it('a model without batch norm: nothing to freeze', () => {
    const input = tf.input({ shape: [3] });
    const m = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    expect(setBatchNormStatisticsFrozen(m, true)).toBe(0);
    expect(batchNormStatisticsFrozen(m)).toBe(false);
  });
});
