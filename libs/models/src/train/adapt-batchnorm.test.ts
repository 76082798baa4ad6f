import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { adaptBatchNorm } from './adapt-batchnorm.js';
import { FusedBatchNormalization } from '../engine/batchnorm.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input → BN a → 1×1 conv (weight 2, bias 1) → BN b: b's input statistics follow from a's by hand. */
function tiny(): tf.LayersModel {
  const input = tf.input({ shape: [2, 2, 1] });
  const a = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, name: 'a_bn' }).apply(input) as tf.SymbolicTensor;
  const conv = tf.layers.conv2d({ filters: 1, kernelSize: 1, name: 'c', kernelInitializer: tf.initializers.constant({ value: 2 }), biasInitializer: tf.initializers.constant({ value: 1 }) });
  const b = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, name: 'b_bn' }).apply(conv.apply(a) as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: b });
}

const stat = (m: tf.LayersModel, layer: string, which: string) => m.getLayer(layer).weights.find((w) => w.originalName.endsWith(which))!.read().dataSync()[0];

describe('adaptBatchNorm (AdaBN)', () => {
  it('sets each layer to the population statistics of its input, in order, combined across uneven chunks', () => {
    const m = tiny();
    // 3 images of 4 pixels: values 0..11, mean 5.5, population variance (12² − 1) / 12 = 11.9167
    const all = Array.from({ length: 12 }, (_, i) => i);
    const chunks = [tf.tensor4d(all.slice(0, 4), [1, 2, 2, 1]), tf.tensor4d(all.slice(4), [2, 2, 2, 1])];
    expect(adaptBatchNorm(m, chunks)).toEqual({ layers: 2, images: 3 });
    const v = 143 / 12;
    expect(stat(m, 'a_bn', 'moving_mean')).toBeCloseTo(5.5, 5);
    expect(stat(m, 'a_bn', 'moving_variance')).toBeCloseTo(v, 4);
    // b sees 2·(x − 5.5)/√(v + ε) + 1: mean 1, variance 4·v/(v + ε), i.e. with a already adapted
    expect(stat(m, 'b_bn', 'moving_mean')).toBeCloseTo(1, 5);
    expect(stat(m, 'b_bn', 'moving_variance')).toBeCloseTo((4 * v) / (v + 1e-3), 4);
    // inference now standardises the target images
    const out = Array.from((m.predict(tf.tensor4d(all, [3, 2, 2, 1])) as tf.Tensor).dataSync());
    const mean = out.reduce((a, x) => a + x, 0) / out.length;
    expect(mean).toBeCloseTo(0, 4);
    expect(out.reduce((a, x) => a + (x - mean) ** 2, 0) / out.length).toBeCloseTo(1, 2);
  });

  it('adapts the engine\'s fused batch-norm layer too (same weights as tfjs-layers\')', () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const m = tf.model({ inputs: input, outputs: new FusedBatchNormalization({ name: 'f_bn' }).apply(input) as tf.SymbolicTensor });
    expect(adaptBatchNorm(m, [tf.tensor4d([1, 2, 3, 6], [1, 2, 2, 1])])).toEqual({ layers: 1, images: 1 });
    expect(stat(m, 'f_bn', 'moving_mean')).toBeCloseTo(3, 5);
    expect(stat(m, 'f_bn', 'moving_variance')).toBeCloseTo(3.5, 5);
  });

  it('refuses no images, and a model without batch norm', () => {
    expect(() => adaptBatchNorm(tiny(), [])).toThrow('no images');
    const input = tf.input({ shape: [2, 2, 1] });
    const plain = tf.model({ inputs: input, outputs: tf.layers.conv2d({ filters: 1, kernelSize: 1 }).apply(input) as tf.SymbolicTensor });
    expect(() => adaptBatchNorm(plain, [tf.zeros([1, 2, 2, 1]) as tf.Tensor4D])).toThrow('no batch-norm layer');
  });
});
