import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier } from '../classifier/model.js';
import { backboneOf, nestedBackbone, stageOutputs } from './backbone-io.js';
import { loadModel, saveModel } from '../train/checkpoint-io.js';
import { classifierFromConfig, segmenterFromConfig } from '../train/build.js';
import { tinyClassifier, tinySegmenter, TINY_BACKBONE } from '../testing/tiny.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

let dir: string;
beforeAll(async () => { await tf.setBackend('cpu'); dir = await mkdtemp(join(tmpdir(), 'unbox-backbone-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('backbones from a local tfjs directory', () => {
  it('a saved backbone seeds both a classifier and a segmenter encoder with its weights', async () => {
    const { model } = buildClassifier(tinyClassifier(), { seed: 3 });
    const bb = backboneOf(model);
    expect(stageOutputs(model)).toHaveLength(5);
    await saveModel(bb, join(dir, 'bb'));
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 4);
    const want = (bb.predict(x) as tf.Tensor).dataSync();

    const cls = await classifierFromConfig(tinyClassifier({ backboneFrom: join(dir, 'bb') }), 9);
    const feat = backboneOf(cls.model);
    expect(maxAbsDiff((feat.predict(x) as tf.Tensor).dataSync(), want)).toBe(0);

    // a classifier holding the loaded backbone as a nested model survives a checkpoint round trip
    await saveModel(cls.model, join(dir, 'cls'));
    const back = await loadModel(join(dir, 'cls'));
    const a = cls.model.predict(x) as tf.Tensor[];
    const b = back.predict(x) as tf.Tensor[];
    a.forEach((t, i) => expect(maxAbsDiff(t.dataSync(), b[i].dataSync())).toBe(0));

    const seg = await segmenterFromConfig(tinySegmenter({ encoderFrom: join(dir, 'bb') }), 9);
    expect((seg.model.predict(x) as tf.Tensor).shape).toEqual([2, 32, 32, 5]);
    const enc = nestedBackbone(seg.model);
    expect(enc).not.toBeNull();
    const outs = (enc as tf.LayersModel).predict(x) as tf.Tensor[];
    expect(outs).toHaveLength(5);
    expect(maxAbsDiff(outs[4].dataSync(), want)).toBe(0);
  });

  it('rejects a backbone whose input does not match the config', async () => {
    await expect(classifierFromConfig(tinyClassifier({ backboneFrom: join(dir, 'bb'), backbone: { ...TINY_BACKBONE, inputSize: 64 } }), 1)).rejects.toThrow(/loaded backbone takes 32×32×1, config says 64/);
    await expect(classifierFromConfig(tinyClassifier({ backboneFrom: join(dir, 'nowhere') }), 1)).rejects.toThrow(/nowhere[/\\]model.json: cannot read model/);
  });
});
