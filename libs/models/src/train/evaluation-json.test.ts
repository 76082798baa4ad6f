import { describe, expect, it } from 'vitest';
import { evaluationJson, toJsonText } from './evaluation-json.js';
import { summariseClassifier, type PatientPrediction } from './evaluate-classifier.js';

const preds: PatientPrediction[] = [
  { id: 'a', centre: 'C', label: 1, probability: 0.9, sliceProbabilities: [0.8, 0.3], sliceLabels: [1, 0] },
  { id: 'b', centre: 'C', label: 0, probability: 0.2, sliceProbabilities: [0.1, 0.6], sliceLabels: [0, 0] },
  { id: 'c', centre: 'C', label: 1, probability: 0.4, sliceProbabilities: [0.7, 0.2], sliceLabels: [1, 1] },
];

describe('evaluation JSON (notes/result-formats.md)', () => {
  it('carries task, backend, seed, config, versions, created and per-split metrics', () => {
    const backend = { backend: 'wasm', threads: 1, versions: { unbox: '0.1.0', tfjs: '4.22.0', node: '20.20.2' } };
    const ev = summariseClassifier(preds);
    const json = evaluationJson('classify', backend, 7, { mode: 'sim+ncm' }, { test: ev }, new Date('2026-11-26T00:00:00Z'));
    expect(json).toMatchObject({ task: 'classify', backend: 'wasm', threads: 1, seed: 7, config: { mode: 'sim+ncm' }, versions: { tfjs: '4.22.0' }, created: '2026-11-26T00:00:00.000Z' });
    const test = JSON.parse(toJsonText(json)).splits.test;
    expect(test.centre).toBe('C');
    // patient: labels [1,0,1], probs [.9,.2,.4] at 0.5 → tp 1, fn 1, tn 1; AUC = 2/2 = 1
    expect(test.patient).toMatchObject({ n: 3, acc: 2 / 3, precision: 1, sensitivity: 0.5, specificity: 1, auc: 1 });
    expect(test.patient.roc[0]).toEqual([0, 0]);
    expect(test.patient.pr[0]).toEqual([0, 1]);
    // image: 6 slices, labels [1,0,0,0,1,1], probs [.8,.3,.1,.6,.7,.2] → tp 2, fp 1, tn 2, fn 1
    expect(test.image).toMatchObject({ n: 6, acc: 4 / 6, precision: 2 / 3, sensitivity: 2 / 3, specificity: 2 / 3 });
    expect(test.image.auc).toBeCloseTo(7 / 9, 12); // pairs won: 3 + 3 + 1 of 9
    expect(test.centres.C.patient.n).toBe(3);
  });

  it('writes undefined metrics (NaN) as null', () => {
    expect(toJsonText({ auc: Number.NaN, x: 1 })).toBe('{\n  "auc": null,\n  "x": 1\n}');
  });
});
