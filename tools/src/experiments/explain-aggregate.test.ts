import { describe, expect, it } from 'vitest';
import { aggregateLesionSlices, baselineRows, clusterBootstrapMean, lesionSlicesOf, poissonBinomialTail, quantileSorted, signTest, type LesionSlice } from './explain-aggregate.js';

describe('poissonBinomialTail', () => {
  it('matches hand-computed tails', () => {
    // X = B(0.2) + B(0.5): P(X=2) = 0.1, P(X≥1) = 1 − 0.8·0.5 = 0.6
    expect(poissonBinomialTail([0.2, 0.5], 2)).toBeCloseTo(0.1, 12);
    expect(poissonBinomialTail([0.2, 0.5], 1)).toBeCloseTo(0.6, 12);
    expect(poissonBinomialTail([0.2, 0.5], 0)).toBe(1);
    expect(poissonBinomialTail([0.2, 0.5], 3)).toBe(0);
    // equal probabilities: the binomial, P(Bin(5, ½) ≥ 5) = 1/32, P(≥ 4) = 6/32
    expect(poissonBinomialTail([0.5, 0.5, 0.5, 0.5, 0.5], 5)).toBeCloseTo(1 / 32, 12);
    expect(poissonBinomialTail([0.5, 0.5, 0.5, 0.5, 0.5], 4)).toBeCloseTo(6 / 32, 12);
  });
  it('refuses a probability outside [0, 1]', () => {
    expect(() => poissonBinomialTail([0.5, 1.5], 1)).toThrow(/1.5 is outside/);
  });
});

describe('signTest', () => {
  it('drops ties and gives P(Bin(n, ½) ≥ above)', () => {
    // 3 above 0.5, 1 below, 1 tie: P(Bin(4, ½) ≥ 3) = 5/16
    expect(signTest([0.7, 0.8, 0.6, 0.5, 0.4], 0.5)).toEqual({ above: 3, below: 1, p: 5 / 16 });
    expect(signTest([0.5, 0.5], 0.5)).toEqual({ above: 0, below: 0, p: 1 });
  });
});

describe('quantileSorted', () => {
  it('interpolates between order statistics (type 7)', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(() => quantileSorted([], 0.5)).toThrow(/no values/);
  });
});

describe('clusterBootstrapMean', () => {
  it('is a point for constant values and null without values', () => {
    expect(clusterBootstrapMean([[2, 2], [2]], { resamples: 200, seed: 1 })).toEqual([2, 2]);
    expect(clusterBootstrapMean([[], []], { resamples: 200, seed: 1 })).toBeNull();
  });
  it('resamples whole patients: two patients give pooled means 1, 2/3 or 1/2 only', () => {
    // patient 1: [1]; patient 2: [0, 1]. Resampled pairs: (1,1) → 1, (1,2) → 2/3, (2,2) → 1/2, each end with chance ¼,
    // so the 2.5 % and 97.5 % quantiles of 2000 resamples are the ends themselves.
    const ci = clusterBootstrapMean([[1], [0, 1]], { resamples: 2000, seed: 7 });
    expect(ci).toEqual([0.5, 1]);
    expect(clusterBootstrapMean([[1], [0, 1], [0]], { resamples: 500, seed: 3 })).toEqual(clusterBootstrapMean([[1], [0, 1], [0]], { resamples: 500, seed: 3 }));
  });
});

const slice = (patient: string, severity: 'mild' | 'severe', o: Partial<LesionSlice>): LesionSlice => ({
  patient, severity, index: 0, cam_hit: false, cam_chance: 0, cam_hit_exact: false, cam_chance_exact: 0, box_iou: 0,
  lime_top: false, lime_chance: 0, lime_auc: null, shap_top: false, shap_chance: 0, shap_auc: null, ...o,
});

describe('aggregateLesionSlices', () => {
  const slices = [
    slice('P1', 'mild', { cam_hit: true, cam_chance: 0.1, box_iou: 0.5, lime_top: true, lime_chance: 0.2, lime_auc: 0.9, shap_chance: 0.2, shap_auc: 0.5 }),
    slice('P2', 'severe', { cam_chance: 0.3, box_iou: 0.1, lime_top: true, lime_chance: 0.4, lime_auc: 0.7, shap_top: true, shap_chance: 0.4 }),
    slice('P2', 'severe', { cam_hit: true, cam_chance: 0.2, box_iou: 0.3, lime_chance: 0.5, lime_auc: 0.4, shap_top: true, shap_chance: 0.5, shap_auc: 0.8 }),
  ];
  const rows = aggregateLesionSlices(slices, { resamples: 2000, seed: 7 });
  const row = (group: string, metric: string) => rows.find((r) => r.group === group && r.metric === metric)!;

  it('pools every lesion slice, with hand-computed rates, chance levels and exact p-values', () => {
    const cam = row('all', 'cam_pointing_game');
    expect(cam).toMatchObject({ n: 3, patients: 2, test: 'poisson-binomial' });
    expect(cam.value).toBeCloseTo(2 / 3, 12);
    expect(cam.chance).toBeCloseTo(0.2, 12);
    // P(X ≥ 2), p = (0.1, 0.3, 0.2): 0.006 + (0.024 + 0.014 + 0.054) = 0.098
    expect(cam.p_above_chance).toBeCloseTo(0.098, 12);
    // patients [1] and [0, 1]: resampled pooled means 1/2, 2/3, 1
    expect([cam.ci95_low, cam.ci95_high]).toEqual([0.5, 1]);
    const lime = row('all', 'lime_top_is_lesion');
    expect(lime.value).toBeCloseTo(2 / 3, 12);
    expect(lime.chance).toBeCloseTo(1.1 / 3, 12);
    // p = (0.2, 0.4, 0.5): 0.04 + (0.04 + 0.06 + 0.16) = 0.30
    expect(lime.p_above_chance).toBeCloseTo(0.3, 12);
    const iou = row('all', 'cam_box_mean_iou');
    expect(iou.value).toBeCloseTo(0.3, 12);
    expect(iou).toMatchObject({ chance: null, p_above_chance: null, test: null });
  });

  it('rank AUC: slices without one are left out, sign test against 0.5', () => {
    const lime = row('all', 'lime_rank_auc');
    expect(lime.n).toBe(3);
    expect(lime.value).toBeCloseTo(2 / 3, 12);
    expect(lime.chance).toBe(0.5);
    expect(lime.p_above_chance).toBe(0.5); // 2 above, 1 below: P(Bin(3, ½) ≥ 2)
    const shap = row('all', 'shap_rank_auc');
    expect(shap).toMatchObject({ n: 2, patients: 2, p_above_chance: 0.5 }); // 0.5 is a tie, 0.8 above: P(Bin(1, ½) ≥ 1)
    expect(shap.value).toBeCloseTo(0.65, 12);
  });

  it('splits by severity', () => {
    expect(rows.map((r) => r.group).filter((g, i, a) => a.indexOf(g) === i)).toEqual(['all', 'mild', 'severe']);
    expect(row('mild', 'cam_pointing_game')).toMatchObject({ n: 1, patients: 1, value: 1, chance: 0.1, ci95_low: 1, ci95_high: 1 });
    expect(row('mild', 'cam_pointing_game').p_above_chance).toBeCloseTo(0.1, 12);
    const severe = row('severe', 'cam_pointing_game');
    expect(severe).toMatchObject({ n: 2, patients: 1, value: 0.5 });
    expect(severe.chance).toBeCloseTo(0.25, 12);
    expect(severe.p_above_chance).toBeCloseTo(1 - 0.7 * 0.8, 12);
  });

  it('an empty group has no values', () => {
    const none = aggregateLesionSlices(slices.filter((s) => s.severity === 'severe'), { resamples: 10, seed: 1 }).find((r) => r.group === 'mild' && r.metric === 'cam_pointing_game');
    expect(none).toMatchObject({ n: 0, patients: 0, value: null, ci95_low: null, ci95_high: null, chance: null, p_above_chance: null });
  });
});

describe('lesionSlicesOf', () => {
  const ranking = { top_is_lesion: true, lesion_superpixels: 3, chance: 0.1, rank_auc: 0.8 };
  const lesion = { cam_pointing_hit: true, pointing_chance: 0.05, pointing_tolerance: 2.1, cam_pointing_hit_exact: false, cam_peak: [3, 4], pointing_chance_exact: 0.01, box_mean_iou: 0.2, lime: ranking, shap: { ...ranking, rank_auc: null } };
  const slice = (index: number, extra: Record<string, unknown> = {}) => ({
    index, score: 0.3, probability: 0.57, cam_png: `cam-${index}.png`, boxes: [[1, 2, 3, 4]], box_areas: [4], box_peaks: [0.9], superpixels: { count: 2 },
    lime: { png: 'l.png', weights: [0.1, -0.2], intercept: 0.5, score: 0.9, local_pred: 0.4, fx: 0.3, num_samples: 1000 },
    shap: { png: 's.png', values: [0.1, 0.2], base_value: 0, fx: 0.3, nsamples: 4, exact: true },
    ...extra,
  });
  /** a complete explanation.json of a classifier (the site agent's output) with these slices */
  const explanation = (slices: unknown[]) => ({
    task: 'classify', patient: 'P1', centre: 'C', mode: '2d', probability: 0.7, sections: [{ slices: [0, 6], logit: 0.8, probability: 0.69 }],
    slice_scores: [0.1, 0.2, 0.3, 0.1, 0.2, 0.3], cam_grid: [7, 7], slices,
    backend: 'cpu', seed: 0, config: {}, versions: { node: '20.20.0' }, created: '2026-11-26T00:00:00Z', model: { dir: 'm', hash: 'a'.repeat(64), step: 10 },
    params: { slices: 'top', fill: 'mean' },
  });

  it('reads the lesion figures of the slices that have them', () => {
    const r = lesionSlicesOf(explanation([slice(2), slice(5, { lesion })]), 'e.json', 'P1', 'severe');
    expect(r.explained).toBe(2);
    expect(r.lesion).toEqual([{
      patient: 'P1', severity: 'severe', index: 5, cam_hit: true, cam_chance: 0.05, cam_hit_exact: false, cam_chance_exact: 0.01, box_iou: 0.2,
      lime_top: true, lime_chance: 0.1, lime_auc: 0.8, shap_top: true, shap_chance: 0.1, shap_auc: null,
    }]);
  });

  it('names the file and the field that is wrong', () => {
    expect(() => lesionSlicesOf([], 'e.json', 'P1', 'mild')).toThrow(/^e\.json: \(root\) .*expected object/);
    expect(() => lesionSlicesOf({ ...explanation([]), slices: {} }, 'e.json', 'P1', 'mild')).toThrow(/^e\.json: slices .*expected array/);
    expect(() => lesionSlicesOf({ ...explanation([]), task: 'segment' }, 'e.json', 'P1', 'mild')).toThrow(/^e\.json: task .*"classify"/);
    expect(() => lesionSlicesOf(explanation([slice(0), slice(1, { lesion: { ...lesion, pointing_chance: 'x' } })]), 'e.json', 'P1', 'mild')).toThrow(/^e\.json: slices\[1\]\.lesion\.pointing_chance .*expected number/);
    expect(() => lesionSlicesOf(explanation([slice(1, { lesion: { ...lesion, shap: null } })]), 'e.json', 'P1', 'mild')).toThrow(/^e\.json: slices\[0\]\.lesion\.shap .*expected object/);
    expect(() => lesionSlicesOf(explanation([slice(1, { lesion: { ...lesion, box_mean_iou: Infinity } })]), 'e.json', 'P1', 'mild')).toThrow(/^e\.json: slices\[0\]\.lesion\.box_mean_iou /);
  });
});
