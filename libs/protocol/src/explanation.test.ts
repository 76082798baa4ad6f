import { describe, expect, it } from 'vitest';
import { ClassifyExplanationJson, ExplanationJson } from './explanation.js';

/** a minimal classify explanation.json as the site agent writes it (one slice, no lesion figures) */
const classify = () => ({
  task: 'classify', patient: 'P1', centre: 'C', mode: '2d', probability: 0.7, sections: [{ slices: [0, 3], logit: 0.8, probability: 0.69 }],
  slice_scores: [0.1, 0.2, 0.3], cam_grid: [7, 7],
  slices: [{
    index: 2, score: 0.3, probability: 0.57, cam_png: 'cam-2.png', boxes: [[1, 2, 3, 4]], box_areas: [4], box_peaks: [0.9], superpixels: { count: 2 },
    lime: { png: 'l.png', weights: [0.1, -0.2], intercept: 0.5, score: 0.9, local_pred: 0.4, fx: 0.3, num_samples: 1000 },
    shap: { png: 's.png', values: [0.1, 0.2] as number[], base_value: 0.1 as number | undefined, fx: 0.3, nsamples: 4, exact: true },
  }],
  backend: 'cpu', seed: 0, config: {}, versions: { node: '20.20.0' }, created: '2026-11-26T00:00:00Z', model: { dir: 'm', hash: 'a'.repeat(64), step: 10 },
  params: { slices: 'top', fill: 'mean' },
});

describe('explanation.json schema', () => {
  it('parses a minimal classify explanation and fills the parameter defaults', () => {
    const r = ExplanationJson.parse(classify());
    expect(r.task).toBe('classify');
    if (r.task !== 'classify') return;
    expect(r.slices[0]?.shap.base_value).toBe(0.1);
    expect(r.params).toEqual({ slices: 'top', top: 3, segments: 50, limeSamples: 1000, shapSamples: null, fill: 'mean', seed: 0, batchSize: 32, boxMinArea: 16 });
  });

  it('refuses a slice without shap.base_value, naming the path', () => {
    const bad = classify();
    delete bad.slices[0]?.shap.base_value;
    const r = ClassifyExplanationJson.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path)).toEqual([['slices', 0, 'shap', 'base_value']]);
    expect(ExplanationJson.safeParse(bad).success).toBe(false);
  });

  it('refuses a non-finite figure and an unknown task', () => {
    const inf = classify();
    inf.probability = Infinity;
    expect(ClassifyExplanationJson.safeParse(inf).error?.issues[0]?.path).toEqual(['probability']);
    expect(ExplanationJson.safeParse({ ...classify(), task: 'detect' }).success).toBe(false);
  });
});
