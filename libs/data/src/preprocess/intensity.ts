import type { Image2D } from './image.js';
import { quantiles, summarize } from './stats.js';

/** Clip to the [lowQ, highQ] quantiles of the image's own values (paper 4.2.2: 1 % and 99 %). */
export function clipPercentiles(img: Image2D, lowQ = 0.01, highQ = 0.99): Image2D {
  if (!(lowQ <= highQ)) throw new RangeError(`low quantile ${lowQ} above high quantile ${highQ}`);
  const [lo, hi] = quantiles(img.data, [lowQ, highQ]);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = img.data[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return { ...img, data: out };
}

/**
 * z-score: (x - mean) / std with the population std. A constant image (std below eps) maps to
 * zeros rather than dividing by ~0.
 */
export function zScore(img: Image2D, eps = 1e-8): Image2D {
  const { mean, std } = summarize(img.data);
  const scale = std > eps ? 1 / std : 0;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (img.data[i] - mean) * scale;
  return { ...img, data: out };
}

/**
 * Brightness jitter: multiply every value by `factor` (the paper draws it from [0.8, 1.2]). On
 * single-channel images hue and saturation do not exist, so brightness is the whole jitter. It is
 * applied after z-scoring: applied before, the z-score would cancel it.
 */
export function scaleIntensity(img: Image2D, factor: number): Image2D {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i] * factor;
  return { ...img, data: out };
}
