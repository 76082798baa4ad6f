import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { InputStandardisation } from './input-standardisation.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('InputStandardisation', () => {
  it('maps each image to zero mean and unit variance over its own pixels (hand-computed), whatever its level', () => {
    const layer = new InputStandardisation();
    // image 0: 1, 2, 3, 6 (mean 3, variance 3.5); image 1: the same plus 10 (another scan level)
    const x = tf.tensor4d([1, 2, 3, 6, 11, 12, 13, 16], [2, 2, 2, 1]);
    const y = Array.from((layer.apply(x) as tf.Tensor).dataSync());
    const r = Math.sqrt(3.5 + 1e-5);
    const one = [-2 / r, -1 / r, 0, 3 / r];
    [...one, ...one].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
  });

  it('has no weights and round-trips through tfjs serialisation', async () => {
    const input = tf.input({ shape: [2, 2, 1] });
    const m = tf.model({ inputs: input, outputs: new InputStandardisation({ name: 's' }).apply(input) as tf.SymbolicTensor });
    expect(m.weights).toHaveLength(0);
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const back = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.tensor4d([0.2, 0.4, 0.1, 0.9], [1, 2, 2, 1]);
    expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
  });
});
