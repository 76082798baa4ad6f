import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { GroupNormalization, groupNorm, groupsFor } from './group-norm.js';
import { resnet } from './resnet.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('groupsFor', () => {
  it('takes the largest divisor of C up to the requested count with ≥ 2 channels per group', () => {
    expect(groupsFor(64, 32)).toBe(32);
    expect(groupsFor(16, 32)).toBe(8);
    expect(groupsFor(8, 32)).toBe(4);
    expect(groupsFor(6, 32)).toBe(3);
    expect(groupsFor(12, 5)).toBe(4);
    expect(groupsFor(3, 32)).toBe(1);
    expect(groupsFor(1, 32)).toBe(1);
  });
  it('refuses a non-positive group or channel count', () => {
    expect(() => groupsFor(8, 0)).toThrow(/groups must be a positive integer/);
    expect(() => groupsFor(0, 4)).toThrow(/channel count/);
  });
});

describe('groupNorm (Wu & He 2018)', () => {
  it('normalises each sample\'s group over H, W and its channels, then scales and shifts per channel (hand-computed)', () => {
    // group 0 = channels 0,1: {1,2,3,6}, mean 3, biased variance 3.5; group 1 = channels 2,3: {3,4,5,8}, mean 5, variance 3.5
    const x = tf.tensor4d([1, 2, 3, 4, 3, 6, 5, 8], [1, 1, 2, 4]);
    const y = groupNorm(x, tf.tensor1d([1, 1, 2, 1]), tf.tensor1d([0, 0, 0, 1]), 2, 1e-5);
    const r = Math.sqrt(3.5 + 1e-5);
    const expected = [-2 / r, -1 / r, (2 * -2) / r, -1 / r + 1, 0, 3 / r, 0, 3 / r + 1];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });

  it('one sample\'s output does not depend on the rest of the batch (unlike batch norm)', () => {
    const a = tf.randomNormal([1, 4, 4, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const b = tf.randomNormal([3, 4, 4, 8], 5, 3, 'float32', 2);
    const gamma = tf.ones([8]) as tf.Tensor1D;
    const beta = tf.zeros([8]) as tf.Tensor1D;
    const alone = groupNorm(a, gamma, beta, 4, 1e-5).dataSync();
    const inBatch = groupNorm(tf.concat([a, b]) as tf.Tensor4D, gamma, beta, 4, 1e-5).slice([0], [1]).dataSync();
    Array.from(alone).forEach((v, i) => expect(inBatch[i]).toBeCloseTo(v, 5));
  });

  it('refuses channels that do not split into the groups', () => {
    expect(() => groupNorm(tf.zeros([1, 2, 2, 6]) as tf.Tensor4D, tf.ones([6]) as tf.Tensor1D, tf.zeros([6]) as tf.Tensor1D, 4, 1e-5)).toThrow(/6 channels do not split into 4 groups/);
  });
});

describe('GroupNormalization layer', () => {
  function net(): tf.LayersModel {
    const input = tf.input({ shape: [4, 4, 8] });
    const y = new GroupNormalization({ groups: 32, name: 'g_gn' }).apply(input) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: y });
  }

  it('has γ, β per channel under <layer>/gamma|beta and uses groupsFor(C, groups)', () => {
    const m = net();
    expect(m.weights.map((w) => [w.originalName, w.shape])).toEqual([['g_gn/gamma', [8]], ['g_gn/beta', [8]]]);
    expect((m.getLayer('g_gn') as GroupNormalization).effectiveGroups).toBe(4);
  });

  it('computes the same in training and inference, and round-trips through tfjs serialisation', async () => {
    const m = net();
    m.getLayer('g_gn').setWeights([tf.linspace(0.5, 2, 8), tf.linspace(-1, 1, 8)]);
    const x = tf.randomNormal([2, 4, 4, 8], 1, 2, 'float32', 3);
    const infer = (m.predict(x) as tf.Tensor).dataSync();
    const train = (m.apply(x, { training: true }) as tf.Tensor).dataSync();
    Array.from(infer).forEach((v, i) => expect(train[i]).toBeCloseTo(v, 6));
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const again = (back.predict(x) as tf.Tensor).dataSync();
    Array.from(infer).forEach((v, i) => expect(again[i]).toBeCloseTo(v, 6));
  });

  it('trains: gradients reach γ and β', () => {
    const m = net();
    const x = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 4);
    const target = tf.randomNormal([2, 4, 4, 8], 0, 1, 'float32', 5);
    const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(target, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    expect(Object.keys(grads)).toHaveLength(2);
    for (const v of vars) expect(tf.norm(grads[v.name]).dataSync()[0]).toBeGreaterThan(0);
  });
});

describe('ResNet with norm: group', () => {
  it('puts group norm after every convolution: no batch-norm tensors, <conv>_gn/gamma|beta instead', () => {
    const r = resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, norm: 'group' });
    const m = tf.model({ inputs: r.input, outputs: r.features });
    const names = m.weights.map((w) => w.originalName);
    expect(names.filter((n) => n.includes('_bn/'))).toEqual([]);
    expect(names).toContain('backbone_stem_gn/gamma');
    expect(names).toContain('backbone_s4b2_b_gn/beta');
    // same convolutions as the batch-norm network; the norm layers lose the two moving statistics
    const rb = resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1 });
    const bn = tf.model({ inputs: rb.input, outputs: rb.features });
    expect(m.countParams()).toBe(bn.trainableWeights.reduce((a, w) => a + w.shape.reduce((x: number, y) => x * (y ?? 1), 1), 0));
  });
});
