import { z } from 'zod';
import { boundedArray, Label } from './common.js';

/**
 * Consortium t-SNE (issue #5): a site that opted in sends, with its fit.result, a capped sample of
 * pooled backbone features (global average of the last backbone layer) of its own patients or
 * slices, each with its class label and nothing else: no pixels, no patient ids, no ordering the
 * site did not randomise. Optional Gaussian noise is added at the site; its σ travels with the
 * sample so every plot says how noisy it is.
 */
export const FEATURE_LIMITS = {
  /** points one site may share per round */
  samples: 256,
  /** length of one pooled feature vector (the widest ResNet stage has 2048 channels) */
  dim: 2048,
  /** samples × dim: keeps one message well under a few MB of JSON */
  values: 131_072,
} as const;

export const FeatureSample = z.strictObject({
  /** the class label only (e.g. 'positive' / 'negative', or 'CT-thick'): short and categorical */
  label: Label.regex(/^[A-Za-z0-9._:-]+$/, 'labels use letters, digits and . _ : -'),
  values: z.array(z.number()).min(1).max(FEATURE_LIMITS.dim, `too many values (max ${FEATURE_LIMITS.dim})`),
});

export const SharedFeatures = z
  .strictObject({
    /** which representation: the pooled output of the last backbone stage */
    layer: z.literal('backbone_gap'),
    /** patient: one point per patient (slices pooled); slice: one point per slice */
    unit: z.enum(['patient', 'slice']),
    dim: z.number().int().min(1).max(FEATURE_LIMITS.dim),
    /** σ of the Gaussian noise the site added to every value (0: none) */
    noise_sigma: z.number().min(0).max(1e6),
    samples: boundedArray(FeatureSample, FEATURE_LIMITS.samples).min(1),
  })
  .superRefine((f, ctx) => {
    if (f.samples.length * f.dim > FEATURE_LIMITS.values)
      ctx.addIssue({ code: 'custom', message: `too large: ${f.samples.length} samples × ${f.dim} values (max ${FEATURE_LIMITS.values} values)`, path: ['samples'] });
    const bad = f.samples.findIndex((s) => s.values.length !== f.dim);
    if (bad >= 0) ctx.addIssue({ code: 'custom', message: `has ${f.samples[bad].values.length} values, dim is ${f.dim}`, path: ['samples', bad, 'values'] });
  });

export type FeatureSample = z.infer<typeof FeatureSample>;
export type SharedFeatures = z.infer<typeof SharedFeatures>;
