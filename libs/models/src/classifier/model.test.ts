import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, runClassifier, scoresFromPooled } from './model.js';
import { classifierLoss, patientLogits, patientProbabilities, type PatientSpan } from './objective.js';
import { patientLogit } from './sim.js';
import { ClassifierModeSchema } from './config.js';
import { tinyClassifier } from '../testing/tiny.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const spans: PatientSpan[] = [{ start: 0, count: 3, label: [0, 1] }, { start: 3, count: 2, label: [1, 0] }];
const x = tf.randomNormal([5, 32, 32, 1], 0, 1, 'float32', 5) as tf.Tensor4D;

describe('classifier graph (Fig. 8)', () => {
  const { model, config } = buildClassifier(tinyClassifier({ sectionLength: 2, k: 8 }));

  it('outputs the CAM, pooled features and the 2×2×C transition scores', () => {
    const out = runClassifier(model, x, false);
    expect(out.cam.shape).toEqual([5, 1, 1, 2]);
    expect(out.pooled.shape).toEqual([5, 32]);
    expect(out.noise.shape).toEqual([5, 8]);
  });

  it('Eq. 3: the class score is the spatial mean of the CAM, and equals Eq. 1 (W·mean F + b)', () => {
    const m = buildClassifier(tinyClassifier({ backbone: { depth: 18, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'small' } })).model;
    const out = runClassifier(m, x, false);
    expect(out.cam.shape).toEqual([5, 4, 4, 2]);
    const cam = out.cam.arraySync();
    const s = out.scores.arraySync();
    for (let n = 0; n < 5; n++) for (let c = 0; c < 2; c++) {
      let sum = 0;
      for (const row of cam[n]) for (const px of row) sum += px[c];
      expect(s[n][c]).toBeCloseTo(sum / 16, 5);
    }
    expect(scoresFromPooled(m, out.pooled).arraySync().flat().map((v, i) => v - s.flat()[i]).every((d) => Math.abs(d) < 1e-5)).toBe(true);
  });

  it('sim loss is Eq. 7 on the patients\' SIM logits', () => {
    const out = runClassifier(model, x, false);
    const s = out.scores;
    const z = [patientLogit(s.slice([0, 0], [3, -1]), 2, 8).arraySync(), patientLogit(s.slice([3, 0], [2, -1]), 2, 8).arraySync()];
    const bce = (zz: number, y: number) => Math.log1p(Math.exp(zz)) - y * zz;
    const want = (bce(z[0][0], 0) + bce(z[0][1], 1) + bce(z[1][0], 1) + bce(z[1][1], 0)) / 2;
    expect(classifierLoss(model, out, spans, { ...config, mode: 'sim' }).dataSync()[0]).toBeCloseTo(want, 5);
    const probs = patientProbabilities(model, out, spans, { ...config, mode: 'sim' });
    expect(probs[0][1]).toBeCloseTo(1 / (1 + Math.exp(-z[0][1])), 5);
  });

  it('max-pool mode max-pools the features over each patient before the EDM weights', () => {
    const out = runClassifier(model, x, false);
    const pooled = out.pooled.arraySync();
    const max0 = pooled[0].map((_, k) => Math.max(pooled[0][k], pooled[1][k], pooled[2][k]));
    const want = scoresFromPooled(model, tf.tensor2d([max0])).arraySync()[0];
    const got = patientLogits(model, out, spans, { ...config, mode: 'max-pool' }).arraySync()[0];
    expect(got[0]).toBeCloseTo(want[0], 5);
    expect(got[1]).toBeCloseTo(want[1], 5);
  });

  it('every mode gives a finite loss with gradients for all trainable weights', () => {
    for (const mode of ClassifierModeSchema.options) {
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => classifierLoss(model, runClassifier(model, x, true), spans, { ...config, mode }), vars);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const noisyHeadMoves = Object.entries(grads).filter(([n]) => n.includes('ncm')).some(([, g]) => g.abs().max().dataSync()[0] > 0);
      expect(noisyHeadMoves).toBe(mode === 'sim+ncm');
      tf.dispose(grads);
    }
  });

  it('rejects batches whose patient spans do not tile the slices', () => {
    const out = runClassifier(model, x, false);
    expect(() => classifierLoss(model, out, [{ start: 0, count: 4, label: [0, 1] }], config)).toThrow(/cover 4 slices but the batch has 5/);
    expect(() => classifierLoss(model, out, [{ start: 0, count: 5, label: [1] }], config)).toThrow(/label has 1 entries/);
  });
});
