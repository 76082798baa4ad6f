import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { trainClassifier } from './train-classifier.js';
import { trainSegmenter } from './train-segmenter.js';
import { loadCheckpoint } from './checkpoint.js';
import { adam } from './step.js';
import { lesionPatients, shapeImages } from '../testing/synthetic.js';
import { tinyClassifier, tinySegmenter } from '../testing/tiny.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

let dir: string;
beforeAll(async () => { await selectBackend('wasm'); dir = await mkdtemp(join(tmpdir(), 'unbox-resume-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const weights = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync().slice());

describe('interrupted and resumed training equals uninterrupted training', () => {
  it('classifier (SIM+NCM, dropout 0.5): same batches, dropout masks, optimiser state and weights after resume', async () => {
    const data = lesionPatients(6, 1);
    // dropout on: StepDropout draws its masks from (seed, step), so the resumed run draws what the straight one did
    const cfg = tinyClassifier({ sectionLength: 4, k: 2, dropout: 0.5 });
    const straight = await trainClassifier(data, cfg, { steps: 4, seed: 5, patientsPerBatch: 2 });
    await trainClassifier(data, cfg, { steps: 2, seed: 5, patientsPerBatch: 2, checkpoint: { dir: join(dir, 'c'), every: 1 } });
    const opt = adam();
    const { model, state } = await loadCheckpoint(join(dir, 'c'), opt);
    expect(state.step).toBe(2);
    const resumed = await trainClassifier(data, cfg, { steps: 4, seed: 5, patientsPerBatch: 2, model, optimizer: opt, startStep: state.step });
    expect(resumed.losses).toHaveLength(2);
    expect(resumed.losses[1]).toBeCloseTo(straight.losses[3], 5);
    weights(resumed.model).forEach((w, i) => expect(maxAbsDiff(w, weights(straight.model)[i])).toBeLessThan(1e-5));
  });

  it('segmenter (LS+LT): resumes on the right thick/thin alternation', async () => {
    const thick = shapeImages(4, 1);
    const thin = shapeImages(4, 2, 32, 'thin').map(({ mask: _m, ...r }) => r);
    const straight = await trainSegmenter(thick, thin, tinySegmenter(), { steps: 3, seed: 5, batchSize: 2 });
    await trainSegmenter(thick, thin, tinySegmenter(), { steps: 1, seed: 5, batchSize: 2, checkpoint: { dir: join(dir, 's'), every: 5 } });
    const opt = adam();
    const { model, state } = await loadCheckpoint(join(dir, 's'), opt);
    expect(state.step).toBe(1); // saved after the last step although `every` is 5
    const resumed = await trainSegmenter(thick, thin, tinySegmenter(), { steps: 3, seed: 5, batchSize: 2, model, optimizer: opt, startStep: 1 });
    expect(resumed.losses[0]).toBeCloseTo(straight.losses[1], 5);
    expect(resumed.losses[1]).toBeCloseTo(straight.losses[2], 5);
  });
});
