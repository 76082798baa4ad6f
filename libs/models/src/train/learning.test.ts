/** A tiny model learns a tiny synthetic task within seconds (loss falls, metrics well above chance). */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { trainClassifier } from './train-classifier.js';
import { predictPatients, summariseClassifier } from './evaluate-classifier.js';
import { trainSegmenter } from './train-segmenter.js';
import { diceRecords, summariseSegmenter } from './evaluate-segmenter.js';
import { lesionPatients, shapeImages } from '../testing/synthetic.js';
import { tinyClassifier, tinySegmenter } from '../testing/tiny.js';

beforeAll(async () => { await selectBackend('wasm'); });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('learning a tiny synthetic task', () => {
  it('SIM+NCM classifier: loss falls and patient AUC on held-out patients is well above chance', async () => {
    // 1/8 width: at 1/16 the 4-channel ImageNet stem cannot find the lesion at 32 px (measured).
    const train = lesionPatients(100, 1);
    const test = lesionPatients(16, 2);
    const backbone = { depth: 18 as const, width: 1 / 8, inputSize: 32, inputChannels: 1, stem: 'imagenet' as const };
    const { model, config, losses } = await trainClassifier(train, tinyClassifier({ backbone, sectionLength: 4, k: 2, dropout: 0.3 }), { steps: 30, seed: 1, patientsPerBatch: 4, maxSlicesPerPatient: 8 });
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    const ev = summariseClassifier(predictPatients(model, config, test));
    expect(ev.patient.auc).toBeGreaterThan(0.8);
    expect(ev.patient.n).toBe(16);
    expect(Object.keys(ev.centres)).toEqual(['A', 'B']);
    expect(tf.memory().numTensors).toBeLessThan(2000);
  });

  it('segmenter (LS+LT): thick-step loss falls and the disk class is segmented (an empty prediction scores 0)', async () => {
    const thick = shapeImages(24, 4);
    const thin = shapeImages(24, 5, 32, 'thin', 0.5).map(({ mask: _m, ...rest }) => rest);
    const { model, config, losses } = await trainSegmenter(thick, thin, tinySegmenter({ numClasses: 3, learningRate: 1e-2 }), { steps: 60, seed: 6, batchSize: 4 });
    const thickLosses = losses.filter((_, i) => i % 2 === 0);
    expect(mean(thickLosses.slice(-5))).toBeLessThan(0.5 * mean(thickLosses.slice(0, 5)));
    const ev = summariseSegmenter(diceRecords(model, config, [...shapeImages(8, 7), ...shapeImages(8, 8, 32, 'thin', 0.5)]));
    expect(ev.dice.CT.thick?.per_class[0]).toBeGreaterThan(0.6);
    expect(ev.dice.CT.mixed?.n).toBe(16);
  });
});
