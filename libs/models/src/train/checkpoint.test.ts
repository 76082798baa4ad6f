import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildSegmenter } from '../segmenter/model.js';
import { buildClassifier, runClassifier } from '../classifier/model.js';
import { tinyClassifier, tinySegmenter } from '../testing/tiny.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { loadModel, saveModel } from './checkpoint-io.js';
import { adam, step } from './step.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

let dir: string;
beforeAll(async () => { await tf.setBackend('cpu'); dir = await mkdtemp(join(tmpdir(), 'unbox-ckpt-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('tfjs-format checkpoints', () => {
  it('model.json + weights.bin round trip (incl. the custom depth-to-space layer)', async () => {
    const { model } = buildSegmenter(tinySegmenter());
    await saveModel(model, join(dir, 'seg'));
    const json = JSON.parse(await readFile(join(dir, 'seg', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const back = await loadModel(join(dir, 'seg'));
    const x = tf.randomNormal([1, 32, 32, 1], 0, 1, 'float32', 1);
    expect(maxAbsDiff((back.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync())).toBe(0);
  });

  it('resume restores weights, Adam moments and state: the next step matches an uninterrupted run', async () => {
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const loss = (m: tf.LayersModel) => () => runClassifier(m, x, true).scores.square().mean() as tf.Scalar;
    const { model } = buildClassifier(tinyClassifier({ dropout: 0 }));
    const opt = adam(1e-3);
    step(model, opt, loss(model), 1e-5);
    await saveCheckpoint(join(dir, 'cls'), model, opt, { step: 1, seed: 7, config: { a: 1 } });
    step(model, opt, loss(model), 1e-5);
    const straight = model.getWeights().map((w) => w.dataSync().slice());
    const opt2 = adam(1e-3);
    const { model: resumed, state } = await loadCheckpoint(join(dir, 'cls'), opt2);
    expect(state).toEqual({ step: 1, seed: 7, config: { a: 1 } });
    step(resumed, opt2, loss(resumed), 1e-5);
    resumed.getWeights().forEach((w, i) => expect(maxAbsDiff(w.dataSync(), straight[i])).toBeLessThan(1e-6));
  });

  it('names the file and the reason on a broken checkpoint', async () => {
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/missing[/\\]model.json: cannot read model/);
    await saveModel(buildSegmenter(tinySegmenter()).model, join(dir, 'cut'));
    await writeFile(join(dir, 'cut', 'weights.bin'), new Uint8Array(10));
    await expect(loadModel(join(dir, 'cut'))).rejects.toThrow(/weights hold 10 bytes but model.json lists/);
    await expect(loadCheckpoint(join(dir, 'nothing'))).rejects.toThrow(/state.json: cannot read checkpoint state/);
  });
});
