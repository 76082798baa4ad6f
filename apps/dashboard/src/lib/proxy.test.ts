import { describe, expect, it } from 'vitest';
import { coordinatorPath, sitePath } from './proxy.js';

describe('relay allow-lists', () => {
  it('coordinator read routes map under /api, query kept', () => {
    expect(coordinatorPath(['runs'])).toBe('/api/runs');
    expect(coordinatorPath(['runs', 'run-1', 'rounds'])).toBe('/api/runs/run-1/rounds');
    expect(coordinatorPath(['runs', 'run-1', 'rounds', '3', 'tsne'], '?x=1')).toBe('/api/runs/run-1/rounds/3/tsne?x=1');
    expect(coordinatorPath(['models'])).toBe('/api/models');
  });
  it('refuses other coordinator routes: enrollment, control, model weights, traversal', () => {
    expect(coordinatorPath(['enroll'])).toBeNull();
    expect(coordinatorPath(['runs', 'r', 'control'])).toBeNull();
    expect(coordinatorPath(['models', 'r', '1', 'weights.bin'])).toBeNull();
    expect(coordinatorPath(['runs', '..', 'sites'])).toBeNull();
    expect(coordinatorPath(['runs', 'r', 'rounds', 'x', 'tsne'])).toBeNull();
    expect(coordinatorPath([])).toBeNull();
  });
  it('site routes map to the agent root; ids are checked and re-encoded', () => {
    expect(sitePath(['patients'])).toBe('/patients');
    expect(sitePath(['site'])).toBe('/site');
    expect(sitePath(['patients', 'P-01', 'explanation'], '?top=2&lime_samples=150')).toBe('/patients/P-01/explanation?top=2&lime_samples=150');
    expect(sitePath(['patients', 'P-01', 'explanation', 'cam_3.png'])).toBe('/patients/P-01/explanation/cam_3.png');
    expect(sitePath(['patients', 'P-01', 'slices', '12.png'], '?window=400&level=40')).toBe('/patients/P-01/slices/12.png?window=400&level=40');
    expect(sitePath(['patients', 'P-01', 'segmentation', '0.png'])).toBe('/patients/P-01/segmentation/0.png');
    expect(sitePath(['patients', 'P-01', 'latent-dice'])).toBe('/patients/P-01/latent-dice');
    expect(sitePath(['patients', 'P-01', 'volume'])).toBe('/patients/P-01/volume');
  });
  it('refuses unknown site routes and crafted ids', () => {
    expect(sitePath(['auth', 'login'])).toBeNull();
    expect(sitePath(['patients', '..', 'explanation'])).toBeNull();
    expect(sitePath(['patients', '.hidden', 'volume'])).toBeNull();
    expect(sitePath(['patients', 'a/b', 'volume'])).toBeNull();
    expect(sitePath(['patients', 'P', 'explanation', '../x.png'])).toBeNull();
    expect(sitePath(['patients', 'P', 'slices', 'x.png'])).toBeNull();
    expect(sitePath(['patients', 'P', 'slices', '1.jpg'])).toBeNull();
  });
});
