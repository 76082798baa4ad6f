import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classScore, gradCam, tapLayer } from './gradcam.js';
import { cascadingLayers, withRandomisedWeights } from './randomise.js';
import { randomisationCheck } from './sanity.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function model(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 1] });
  const c1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(c1) as tf.SymbolicTensor;
  const edm = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'edm', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(c2) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(edm) as tf.SymbolicTensor });
}

describe('withRandomisedWeights', () => {
  it('lists layers output first, randomises inside, restores after', async () => {
    const m = model();
    expect(cascadingLayers(m)).toEqual(['edm', 'c2', 'c1']);
    const x = tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const before = (m.predict(x) as tf.Tensor).dataSync().slice();
    const inside = await withRandomisedWeights(m, cascadingLayers(m), 7, () => (m.predict(x) as tf.Tensor).dataSync().slice());
    expect(Array.from(inside)).not.toEqual(Array.from(before));
    expect(Array.from((m.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    // biases are zero while randomised
    await withRandomisedWeights(m, ['edm'], 1, () => expect(Array.from(m.getLayer('edm').getWeights()[1].dataSync())).toEqual([0, 0]));
  });

  it('Grad-CAM maps of the trained and the randomised model decorrelate (Adebayo et al.)', async () => {
    const m = model();
    const xs = [1, 2, 3].map((s) => tf.randomNormal([1, 16, 16, 1], 0, 1, 'float32', s) as tf.Tensor4D);
    const explain = () => xs.map((x) => gradCam(tapLayer(m, 'c2'), x, classScore(0)).raw.data);
    const trained = explain();
    const same = randomisationCheck(trained, explain());
    expect(same.meanSpearman).toBeCloseTo(1, 12);
    const randomised = await withRandomisedWeights(m, cascadingLayers(m), 11, explain);
    const report = randomisationCheck(trained, randomised);
    expect(report.meanSpearman).toBeLessThan(0.5);
  });
});
