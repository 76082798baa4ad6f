/**
 * The site's own settings for federation, `<site-dir>/site.json` (or `join --config <file>`):
 * decisions that belong to the hospital, not to the coordinator. Today one: whether the site shares
 * a sample of pooled backbone features for the consortium t-SNE (issue #5), off unless the file
 * turns it on:
 *   { "share_features": { "enabled": true, "max_samples": 64, "noise_sigma": 0.1 } }
 * Unknown fields are errors, so a typo never silently leaves sharing in another state than meant.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_LIMITS } from '@unbox/protocol';
import { z } from 'zod';

export const ShareFeatures = z.strictObject({
  enabled: z.boolean().default(false),
  /** at most this many points per round (patients for the classifier, slices for the segmenter) */
  max_samples: z.number().int().min(1).max(FEATURE_LIMITS.samples).default(64),
  /** σ of the Gaussian noise added to every shared value (0: none); recorded with the t-SNE */
  noise_sigma: z.number().min(0).max(1000).default(0),
});

export const SiteConfig = z.strictObject({
  share_features: ShareFeatures.default({ enabled: false, max_samples: 64, noise_sigma: 0 }),
});

export type ShareFeatures = z.infer<typeof ShareFeatures>;
export type SiteConfig = z.infer<typeof SiteConfig>;

export class SiteConfigError extends Error {
  override readonly name = 'SiteConfigError';
}

export const siteConfigPath = (siteDir: string) => join(siteDir, 'site.json');

/** Reads the site config: `path` when given (must exist), else <site-dir>/site.json when present, else defaults. */
export function loadSiteConfig(siteDir: string, path?: string): SiteConfig {
  const file = path ?? siteConfigPath(siteDir);
  if (!existsSync(file)) {
    if (path) throw new SiteConfigError(`${path}: site config not found`);
    return SiteConfig.parse({});
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SiteConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = SiteConfig.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]].join('.') : i.path.join('.');
    throw new SiteConfigError(`${file}: field '${field || '(root)'}': ${i.code === 'unrecognized_keys' ? 'unknown field' : i.message}`);
  }
  return r.data;
}
