import { describe, expect, it } from 'vitest';
import { curveRounds, meanSd, summariseCurve, type CurvePoint } from './learning-curve.js';

describe('learning curves of the federated experiment', () => {
  it('scores every k-th round and the last', () => {
    expect(curveRounds(160, 20)).toEqual([20, 40, 60, 80, 100, 120, 140, 160]);
    expect(curveRounds(10, 4)).toEqual([4, 8, 10]);
    expect(curveRounds(3, 3)).toEqual([3]);
    expect(() => curveRounds(10, 11)).toThrow(/--curve must be a whole number in \[1, 10\]/);
    expect(() => curveRounds(10, 0)).toThrow(/--curve/);
  });

  it('mean and sample sd by hand; the summary covers only the second half of the rounds', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(meanSd([0.7])).toEqual({ mean: 0.7, sd: 0 });
    const s = (x: number) => ({ unseen_patient_auc: x, unseen_image_auc: x / 2, test_patient_auc: 1 - x, test_image_auc: 0.5, unseen_patient_auc_adabn: 2 * x, unseen_image_auc_adabn: 0.4, test_patient_auc_adabn: x + 0.5, test_image_auc_adabn: Number.NaN });
    const pts: CurvePoint[] = [10, 20, 30, 40].map((round, i) => ({ round, central_step: round * 3, federated: s(0.1 * (i + 1)), centralised: s(0.9) }));
    const sum = summariseCurve(pts, 40);
    expect(sum.from_round).toBe(20);
    expect(sum.points).toBe(2); // rounds 30 and 40
    expect(sum.federated.unseen_patient_auc.mean).toBeCloseTo(0.35, 12);
    expect(sum.federated.unseen_patient_auc.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(sum.federated.test_patient_auc.mean).toBeCloseTo(0.65, 12);
    expect(sum.centralised.unseen_image_auc).toEqual({ mean: 0.45, sd: 0 });
    expect(sum.federated.unseen_patient_auc_adabn.mean).toBeCloseTo(0.7, 12);
    expect(sum.federated.test_patient_auc_adabn.mean).toBeCloseTo(0.85, 12);
    // a network without batch norm has no per-centre scores: NaN, not a number made up
    expect(sum.federated.test_image_auc_adabn.mean).toBeNaN();
  });
});
