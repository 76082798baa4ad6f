import { describe, expect, it } from 'vitest';
import { parseMessage } from './messages.js';
import { FEATURE_LIMITS, SharedFeatures } from './shared-features.js';
import { VALID, clone } from './testing/valid-messages.js';

const sample = (dim: number, n: number, label = 'positive') => ({
  layer: 'backbone_gap', unit: 'patient', dim, noise_sigma: 0.5,
  samples: Array.from({ length: n }, (_, i) => ({ label, values: Array.from({ length: dim }, (_, j) => i + j / 10) })),
});

function fitWith(features: unknown) {
  return { ...(clone(VALID['fit.result']) as object), features };
}

describe('shared features (consortium t-SNE opt-in)', () => {
  it('travel with fit.result and survive a JSON round trip', () => {
    const r = parseMessage('fit.result', fitWith(sample(8, 3)));
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok) return;
    expect(r.value.features?.samples).toHaveLength(3);
    expect(parseMessage('fit.result', JSON.parse(JSON.stringify(r.value)))).toEqual(r);
  });

  it('are optional: a fit.result without them is unchanged', () => {
    const r = parseMessage('fit.result', VALID['fit.result']);
    expect(r.ok && r.value.features).toBeUndefined();
  });

  it('refuse a vector whose length is not dim, naming the sample', () => {
    const f = sample(4, 3);
    f.samples[1].values.push(9);
    const r = parseMessage('fit.result', fitWith(f));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.field).toBe('features.samples.1.values');
  });

  it('refuse more samples than the cap, and more values than the total cap, as too_large', () => {
    const many = parseMessage('fit.result', fitWith(sample(1, FEATURE_LIMITS.samples + 1)));
    expect(!many.ok && many.error.code).toBe('too_large');
    expect(!many.ok && many.error.field).toBe('features.samples');
    const wide = SharedFeatures.safeParse(sample(FEATURE_LIMITS.dim, FEATURE_LIMITS.values / FEATURE_LIMITS.dim + 1));
    expect(wide.success).toBe(false);
    const r = parseMessage('fit.result', fitWith(sample(FEATURE_LIMITS.dim, FEATURE_LIMITS.values / FEATURE_LIMITS.dim + 1)));
    expect(!r.ok && r.error.code).toBe('too_large');
  });

  it('refuse anything but a label and values per sample (no patient ids), and non-finite values', () => {
    const f = sample(2, 1) as { samples: Record<string, unknown>[] };
    f.samples[0].patient = 'P001';
    const r = parseMessage('fit.result', fitWith(f));
    expect(!r.ok && r.error.field).toBe('features.samples.0.patient');
    const g = sample(2, 1);
    g.samples[0].values[1] = Number.NaN;
    expect(SharedFeatures.safeParse(g).success).toBe(false);
    const h = sample(2, 1, 'patient P001');
    expect(SharedFeatures.safeParse(h).success).toBe(false);
    expect(SharedFeatures.safeParse({ ...sample(2, 1), noise_sigma: -1 }).success).toBe(false);
  });
});
