import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { SegmenterConfigSchema } from '../segmenter/config.js';
import { segmenterBatchImages, trainSegmenter } from './train-segmenter.js';
import { PAPER_SEG_AUGMENT } from './segmenter-augment.js';
import { loadCheckpoint } from './checkpoint.js';
import { adam } from './step.js';
import { rng } from './random.js';
import { shapeImages } from '../testing/synthetic.js';
import { tinySegmenter } from '../testing/tiny.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

let dir: string;
beforeAll(async () => { await selectBackend('wasm'); dir = await mkdtemp(join(tmpdir(), 'unbox-segtrain-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const thick = shapeImages(4, 1);
const thin = shapeImages(4, 2, 32, 'thin').map(({ mask: _m, ...r }) => r);
const cfg = SegmenterConfigSchema.parse(tinySegmenter());

describe('segmenter batches: augmentation drawn per batch from the step generator', () => {
  it('the same slice looks different in different steps; the same step is reproducible', () => {
    const one = [thick[0]];
    const at = (step: number) => segmenterBatchImages(one, thin, { ...cfg, loss: 'LS' }, rng(1), step, { seed: 5, batchSize: 6, augment: PAPER_SEG_AUGMENT }).images;
    const views = new Set([0, 1, 2, 3].flatMap((s) => at(s).map((im) => `${im.data[0].toFixed(6)}|${im.mask![40]}`)));
    expect(views.size).toBeGreaterThan(3); // 24 draws of one slice: several distinct views
    at(2).forEach((im, i) => { expect([...im.data]).toEqual([...at(2)[i].data]); expect([...im.mask!]).toEqual([...at(2)[i].mask!]); });
    // without augmentation the cached slice itself is used
    const plain = segmenterBatchImages(one, thin, { ...cfg, loss: 'LS' }, rng(1), 0, { seed: 5, batchSize: 2 }).images;
    expect(plain[0]).toBe(thick[0]);
  });

  it('LS+LT alternates thick and thin batches; thin batches carry no mask', () => {
    const r = rng(3);
    const a = segmenterBatchImages(thick, thin, cfg, r, 0, { seed: 5, batchSize: 2, augment: PAPER_SEG_AUGMENT });
    const b = segmenterBatchImages(thick, thin, cfg, r, 1, { seed: 5, batchSize: 2, augment: PAPER_SEG_AUGMENT });
    expect([a.kind, b.kind]).toEqual(['thick', 'thin']);
    expect(a.images.every((im) => im.mask)).toBe(true);
    expect(b.images.every((im) => !im.mask)).toBe(true);
  });

  it('with augmentation and class weights, a resumed run ends with the weights of an uninterrupted one', async () => {
    const model = tinySegmenter({ classWeighting: 'inverse-sqrt-frequency' });
    const o = { seed: 5, batchSize: 2, augment: PAPER_SEG_AUGMENT };
    const straight = await trainSegmenter(thick, thin, model, { ...o, steps: 4 });
    expect(straight.classWeights).toHaveLength(5);
    await trainSegmenter(thick, thin, model, { ...o, steps: 2, checkpoint: { dir: join(dir, 'a'), every: 2 } });
    const opt = adam();
    const saved = await loadCheckpoint(join(dir, 'a'), opt);
    const resumed = await trainSegmenter(thick, thin, model, { ...o, steps: 4, model: saved.model, optimizer: opt, startStep: saved.state.step });
    expect(resumed.losses[1]).toBeCloseTo(straight.losses[3], 5);
    const w = (m: tf.LayersModel) => m.getWeights().map((t) => t.dataSync().slice());
    // float32 noise of the checkpoint round trip is ~1e-5; one Adam step moves weights by ~lr = 1e-3
    w(resumed.model).forEach((x, i) => expect(maxAbsDiff(x, w(straight.model)[i])).toBeLessThan(5e-5));
  });
});
