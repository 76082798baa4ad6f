import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { benchnet, trainStep } from './benchnet.js';
import { NATIVE_BACKEND } from './native-backend.js';
import { engineForTests, randomArray, rng } from './testing.js';

const engine = await engineForTests();

describe('benchnet', () => {
  it('has the PyTorch twin\'s 700,146 trainable parameters (plus 2 × 1,200 batch-norm statistics) and 2 logits', async () => {
    await tf.setBackend('cpu');
    const m = benchnet();
    const trainable = m.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
    expect(trainable).toBe(700146);
    expect(m.countParams()).toBe(700146 + 2400);
    expect(m.outputs[0].shape).toEqual([null, 2]);
    expect(m.inputs[0].shape).toEqual([null, 128, 128, 1]);
    m.dispose();
  });

  it.skipIf(!engine.available)('trains identically with the fused batch norm and with tf.layers.batchNormalization', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const fused = benchnet('fused'), layers = benchnet('layers');
    layers.setWeights(fused.getWeights());
    const r = rng(60);
    const x = tf.tensor4d(randomArray(2 * 128 * 128, r), [2, 128, 128, 1]);
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    const optA = tf.train.adam(1e-3), optB = tf.train.adam(1e-3);
    for (let step = 0; step < 3; step++) {
      const a = trainStep(fused, optA, x, y), b = trainStep(layers, optB, x, y);
      expect(Math.abs(a - b), `step ${step}: ${a} vs ${b}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(b)));
    }
    tf.dispose([x, y]);
    fused.dispose();
    layers.dispose();
  });
});
