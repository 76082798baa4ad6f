/**
 * The two preprocessing chains of the paper. Randomness is drawn once per call to the sample*
 * functions, so one draw can be applied to every slice of a volume (paper 4.1.2 flips "the input
 * volumes"), and the result depends only on the seed of the Rng.
 */
import type { Image2D, Mask2D } from './image.js';
import type { Rng } from './rng.js';
import { crop, PAPER_CROP, sampleCropBox, type CropBox, type RandomCropOptions } from './crop.js';
import { flipHorizontal, flipMaskHorizontal } from './flip.js';
import { clipPercentiles, scaleIntensity, zScore } from './intensity.js';
import { resizeBicubic, resizeBilinear, resizeNearestMask } from './resize.js';
import { LUNG_WINDOW, windowCt, type CtWindow } from './window.js';
import { jitterWindowed, sampleIntensityJitter, type IntensityJitter, type IntensityJitterOptions } from './scanner-jitter.js';

// ---------- classification (paper 4.1.2) ----------

export interface ClassifyPreprocessOptions {
  /** square output side in pixels (paper: 224; the CPU default of the models is smaller). */
  size: number;
  window: CtWindow;
  crop: RandomCropOptions;
  flipProbability: number;
  /** Pillow/torchvision antialiasing when shrinking (torchvision's RandomResizedCrop default). */
  antialias: boolean;
  /**
   * Optional region of interest cut first (e.g. lungRoi's box, as the paper crops to segmented
   * lungs); the random crop is then drawn inside it, so sample with the ROI's height and width.
   */
  roi?: CropBox;
  /** scanner-signature augmentation (calibration and noise; not in the paper), null = off. */
  intensity: IntensityJitterOptions | null;
}

export const CLASSIFY_DEFAULTS: Readonly<ClassifyPreprocessOptions> = Object.freeze({
  size: 224,
  window: LUNG_WINDOW,
  crop: PAPER_CROP,
  flipProbability: 0.5,
  antialias: true,
  intensity: null,
});

/** One random draw for a whole volume: the crop box, whether to flip, and the scanner jitter when on. */
export interface ClassifyAugmentation {
  box: CropBox;
  flip: boolean;
  intensity?: IntensityJitter;
}

export function sampleClassifyAugmentation(rng: Rng, rows: number, columns: number, opts: Partial<ClassifyPreprocessOptions> = {}): ClassifyAugmentation {
  const o = { ...CLASSIFY_DEFAULTS, ...opts };
  const box = sampleCropBox(rng, rows, columns, o.crop);
  const flip = rng.bernoulli(o.flipProbability);
  // drawn after box and flip, so runs without it replay the draws they always did
  return o.intensity ? { box, flip, intensity: sampleIntensityJitter(rng, o.intensity) } : { box, flip };
}

/**
 * One CT slice in HU -> network input in [0, 1]: window, crop (training only), bilinear resize to
 * size x size, flip (training only). `aug` null = evaluation: the whole slice, unflipped.
 */
export function preprocessClassifySlice(hu: Image2D, aug: ClassifyAugmentation | null, opts: Partial<ClassifyPreprocessOptions> = {}): Image2D {
  const o = { ...CLASSIFY_DEFAULTS, ...opts };
  let img = windowCt(o.roi ? crop(hu, o.roi) : hu, o.window);
  if (aug) img = crop(img, aug.box);
  if (aug?.intensity) img = jitterWindowed(img, o.window, aug.intensity);
  img = resizeBilinear(img, o.size, o.size, { antialias: o.antialias });
  return aug?.flip ? flipHorizontal(img) : img;
}

// ---------- segmentation (paper 4.2.2) ----------

export interface SegmentPreprocessOptions {
  size: number;
  /** quantiles for clipping anomalous pixels (paper: 1 % and 99 %). */
  clip: readonly [number, number];
  flipProbability: number;
  /** brightness factor range (paper: [0.8, 1.2]). */
  jitter: readonly [number, number];
  /** Keys cubic parameter (see resizeBicubic). */
  cubicA: number;
  /** Pillow-style antialiasing when shrinking images (masks: nearest, never filtered). */
  antialias: boolean;
}

export const SEGMENT_DEFAULTS: Readonly<SegmentPreprocessOptions> = Object.freeze({
  size: 224,
  clip: [0.01, 0.99] as const,
  flipProbability: 0.5,
  jitter: [0.8, 1.2] as const,
  cubicA: -0.5,
  antialias: true,
});

export interface SegmentAugmentation {
  flip: boolean;
  /** brightness factor. */
  jitter: number;
}

export function sampleSegmentAugmentation(rng: Rng, opts: Partial<SegmentPreprocessOptions> = {}): SegmentAugmentation {
  const o = { ...SEGMENT_DEFAULTS, ...opts };
  const flip = rng.bernoulli(o.flipProbability);
  return { flip, jitter: rng.uniform(o.jitter[0], o.jitter[1]) };
}

/**
 * Image (and its label mask when present) -> clip to quantiles, z-score, bicubic resize (nearest
 * for the mask), flip both together, brightness jitter. `aug` null = evaluation (no flip, no jitter).
 */
export function preprocessSegmentSlice(
  img: Image2D,
  mask: Mask2D | null,
  aug: SegmentAugmentation | null,
  opts: Partial<SegmentPreprocessOptions> = {},
): { image: Image2D; mask: Mask2D | null } {
  const o = { ...SEGMENT_DEFAULTS, ...opts };
  if (mask && (mask.rows !== img.rows || mask.columns !== img.columns)) {
    throw new RangeError(`mask ${mask.rows}x${mask.columns} is not on the image grid ${img.rows}x${img.columns}`);
  }
  let x = zScore(clipPercentiles(img, o.clip[0], o.clip[1]));
  x = resizeBicubic(x, o.size, o.size, { a: o.cubicA, antialias: o.antialias });
  let m = mask ? resizeNearestMask(mask, o.size, o.size) : null;
  if (aug?.flip) {
    x = flipHorizontal(x);
    m = m ? flipMaskHorizontal(m) : null;
  }
  if (aug) x = scaleIntensity(x, aug.jitter);
  return { image: x, mask: m };
}
