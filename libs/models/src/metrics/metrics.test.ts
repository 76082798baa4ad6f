import { describe, expect, it } from 'vitest';
import { accuracy, confusion, precision, sensitivity, specificity } from './binary.js';
import { prCurve, rocAuc, rocCurve } from './roc.js';
import { dicePerClass, nanMean } from './dice.js';
import { classificationSummary, diceSummary } from './aggregate.js';

// sklearn's documented example: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
const y = [0, 0, 1, 1];
const s = [0.1, 0.4, 0.35, 0.8];

describe('binary metrics', () => {
  it('counts and ratios at threshold 0.5', () => {
    const c = confusion(y, s);
    expect(c).toEqual({ tp: 1, fp: 0, tn: 2, fn: 1 });
    expect([accuracy(c), precision(c), sensitivity(c), specificity(c)]).toEqual([0.75, 1, 0.5, 1]);
  });
  it('reports 0/0 as NaN', () => {
    expect(precision(confusion([0, 1], [0.1, 0.2]))).toBeNaN();
  });
  it('rejects mismatched or non-binary input', () => {
    expect(() => confusion([0, 1], [0.3])).toThrow(/2 labels but 1 scores/);
    expect(() => confusion([0, 2], [0.3, 0.4])).toThrow(/label 1 is 2/);
    expect(() => rocAuc([0, 1], [0.3, Number.NaN])).toThrow(/score 1 is NaN/);
  });
});

describe('ROC-AUC and curves', () => {
  it('AUC = 0.75 on sklearn\'s example', () => expect(rocAuc(y, s)).toBe(0.75));
  it('ties count one half (Mann–Whitney)', () => {
    // pairs (pos, neg): (.5,.5) ½, (.5,.2) 1, (.9,.5) 1, (.9,.2) 1 → 3.5 / 4
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });
  it('is NaN with one class only', () => expect(rocAuc([1, 1], [0.2, 0.3])).toBeNaN());
  it('ROC curve equals sklearn roc_curve(drop_intermediate=False)', () => {
    expect(rocCurve(y, s)).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
  });
  it('PR curve equals sklearn precision_recall_curve (reversed to recall ascending)', () => {
    expect(prCurve(y, s)).toEqual([[0, 1], [0.5, 1], [0.5, 0.5], [1, 2 / 3], [1, 0.5]]);
  });
  it('tied scores form one ROC point', () => {
    expect(rocCurve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toEqual([[0, 0], [0, 0.5], [0.5, 1], [1, 1]]);
  });
});

describe('Dice', () => {
  it('per foreground class, NaN for a class absent from both', () => {
    const d = dicePerClass([0, 1, 1, 2, 2, 0], [0, 1, 2, 2, 2, 1], 4);
    expect(d[0]).toBe(0.5);
    expect(d[1]).toBe(0.8);
    expect(d[2]).toBeNaN();
    expect(nanMean(d)).toBeCloseTo(0.65, 12);
  });
  it('rejects out-of-range classes and size mismatch', () => {
    expect(() => dicePerClass([0, 5], [0, 1], 5)).toThrow(/pixel 1 has class 5/);
    expect(() => dicePerClass([0], [0, 1], 5)).toThrow(/1 pixels/);
  });
});

describe('aggregation', () => {
  it('classification summary in the evaluation-JSON shape', () => {
    expect(classificationSummary(y, s, { curves: true })).toEqual({
      n: 4, acc: 0.75, precision: 1, sensitivity: 0.5, specificity: 1, auc: 0.75,
      roc: rocCurve(y, s), pr: prCurve(y, s),
    });
  });
  it('Dice by modality and thickness with a mixed entry', () => {
    const out = diceSummary([
      { modality: 'CT', thickness: 'thick', perClass: [1, 0.5] },
      { modality: 'CT', thickness: 'thin', perClass: [0.5, Number.NaN] },
      { modality: 'MR', thickness: 'thin', perClass: [0.2, 0.4] },
    ]);
    expect(out.CT.thick).toEqual({ n: 1, mean: 0.75, per_class: [1, 0.5] });
    expect(out.CT.thin).toEqual({ n: 1, mean: 0.5, per_class: [0.5, Number.NaN] });
    expect(out.CT.mixed).toEqual({ n: 2, mean: 0.625, per_class: [0.75, 0.5] });
    expect(out.MRI.mixed?.mean).toBeCloseTo(0.3, 12);
  });
});
