import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildSegmenter } from './model.js';
import { tinySegmenter } from '../testing/tiny.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('segmenter graph (Fig. 9)', () => {
  it('sub-pixel decoder: logits at input resolution, 5 classes, SP layers in the graph', () => {
    const { model } = buildSegmenter(tinySegmenter());
    const y = model.predict(tf.zeros([2, 32, 32, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 32, 32, 5]);
    expect(model.layers.filter((l) => l.getClassName() === 'UnboxDepthToSpace')).toHaveLength(5);
    expect(model.layers.some((l) => l.name.endsWith('_skip'))).toBe(true);
  });

  it('plain U-Net decoder uses bilinear upsampling instead', () => {
    const { model } = buildSegmenter(tinySegmenter({ decoder: 'unet' }));
    expect((model.predict(tf.zeros([1, 32, 32, 1])) as tf.Tensor).shape).toEqual([1, 32, 32, 5]);
    expect(model.layers.filter((l) => l.getClassName() === 'UnboxDepthToSpace')).toHaveLength(0);
    expect(model.layers.filter((l) => l.getClassName() === 'UpSampling2D')).toHaveLength(5);
  });

  it('small stem and ResNet-50 bottlenecks build too', () => {
    const { model } = buildSegmenter(tinySegmenter({ encoder: { depth: 50, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'small' } }));
    expect((model.predict(tf.zeros([1, 32, 32, 1])) as tf.Tensor).shape).toEqual([1, 32, 32, 5]);
  });
});
