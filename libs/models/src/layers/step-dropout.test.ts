import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { StepDropout, setDropoutStep } from './step-dropout.js';
import { buildClassifier } from '../classifier/model.js';
import { trainClassifier } from '../train/train-classifier.js';
import { saveCheckpoint, loadCheckpoint } from '../train/checkpoint.js';
import { adam } from '../train/step.js';
import { lesionPatients } from '../testing/synthetic.js';
import { tinyClassifier } from '../testing/tiny.js';

let dir: string;
beforeAll(async () => { await selectBackend('wasm'); dir = await mkdtemp(join(tmpdir(), 'unbox-dropout-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const ones = () => tf.ones([4, 8, 8, 16]);
const apply = (l: StepDropout, training: boolean) => (l.apply(ones(), { training }) as tf.Tensor).dataSync();

describe('StepDropout (masks from seed and step)', () => {
  it('is inverted dropout: zeros at the rate, survivors scaled by 1 / (1 − rate), identity at inference', () => {
    const l = new StepDropout({ rate: 0.7, seed: 3 });
    const y = apply(l, true);
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.3) < 1e-5)).toBe(true);
    // 4096 draws: the dropped fraction within 4 sd (sd = √(0.21 / 4096) ≈ 0.007) of 0.7
    expect(Math.abs(1 - kept.length / y.length - 0.7)).toBeLessThan(0.03);
    expect(Array.from(apply(l, false))).toEqual(Array.from(ones().dataSync()));
  });

  it('draws the same mask for the same (seed, step), another for another step or seed', () => {
    const a = new StepDropout({ rate: 0.5, seed: 3 });
    const b = new StepDropout({ rate: 0.5, seed: 3 });
    a.step = 7;
    b.step = 7;
    expect(Array.from(apply(a, true))).toEqual(Array.from(apply(b, true)));
    b.step = 8;
    expect(Array.from(apply(a, true))).not.toEqual(Array.from(apply(b, true)));
    const c = new StepDropout({ rate: 0.5, seed: 4 });
    c.step = 7;
    expect(Array.from(apply(a, true))).not.toEqual(Array.from(apply(c, true)));
    expect(() => new StepDropout({ rate: 1, seed: 0 })).toThrow(/rate must be in \[0, 1\)/);
  });

  it('setDropoutStep reaches the classifier\'s dropout, and the layer survives a checkpoint round trip', async () => {
    const { model } = buildClassifier(tinyClassifier({ dropout: 0.6 }), { seed: 9 });
    setDropoutStep(model, 42);
    const layer = model.getLayer('edm_dropout') as StepDropout;
    expect(layer).toBeInstanceOf(StepDropout);
    expect(layer.step).toBe(42);
    await saveCheckpoint(join(dir, 'c'), model, adam(), { step: 1, seed: 9, config: {} });
    const { model: loaded } = await loadCheckpoint(join(dir, 'c'), adam());
    const back = loaded.getLayer('edm_dropout') as StepDropout;
    expect(back).toBeInstanceOf(StepDropout);
    expect([back.rate, back.seed]).toEqual([0.6, 9]);
  });

  it('makes training with dropout reproducible: the same seed gives the same weights', async () => {
    const data = lesionPatients(6, 1);
    const cfg = tinyClassifier({ sectionLength: 4, k: 2, dropout: 0.7 });
    const streams: number[] = [];
    const { model } = buildClassifier(cfg, { seed: 11 });
    const run = async (m?: tf.LayersModel) => (await trainClassifier(data, cfg, {
      steps: 3, seed: 11, patientsPerBatch: 2, ...(m ? { model: m } : {}),
      onStep: () => { if (m) streams.push((m.getLayer('edm_dropout') as StepDropout).step); },
    })).model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(await run(model)).toEqual(await run());
    // a fresh mask stream every step (a fixed one would be tfjs's seeded Dropout: one mask for the whole run)
    expect(new Set(streams).size).toBe(3);
  });
});
