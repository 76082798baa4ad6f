/**
 * Scanner-signature augmentation for windowed CT (not in the paper; an option of the classifier's
 * training views). Centres differ in calibration (HU' = s·HU + o), noise and field of view
 * (docs/experiments.md: the unseen centre's offset and field of view lie outside the training
 * centres' range, and a lesion detector trained with slice labels still fails there). Drawing a
 * fresh calibration and noise level per scan and step makes those cues useless for the loss.
 * Applied to lung-window values w = (HU − lo) / width, so the cached windowed scans need no HU copy:
 * w' = s·w + ((s − 1)·lo + o) / width, then + N(0, (σ / width)²), clamped to [0, 1].
 */
import type { Image2D } from './image.js';
import { createRng, type Rng } from './rng.js';
import type { CtWindow } from './window.js';

export interface IntensityJitterOptions {
  /** HU scale s drawn uniformly from this range. */
  scale: readonly [number, number];
  /** HU offset o drawn uniformly from this range. */
  offsetHu: readonly [number, number];
  /** sd (HU) of added Gaussian noise drawn uniformly from this range. */
  noiseHu: readonly [number, number];
}

/**
 * Default ranges, wider than the synthetic centres' spread (scale 0.94–1.06, offset ±30 HU,
 * noise 6–40 HU) so an unseen scanner falls inside what training saw.
 */
export const SCANNER_JITTER: Readonly<IntensityJitterOptions> = Object.freeze({ scale: [0.92, 1.08] as const, offsetHu: [-50, 50] as const, noiseHu: [0, 30] as const });

/** One draw for a whole scan; `noiseSeed` seeds the per-pixel noise so the draw is reproducible. */
export interface IntensityJitter {
  scale: number;
  offsetHu: number;
  noiseHu: number;
  noiseSeed: number;
}

function checkRange(name: string, r: readonly [number, number]): void {
  if (!(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[0] <= r[1])) throw new RangeError(`intensity jitter ${name} must be [lo, hi] with lo <= hi, got [${r.join(', ')}]`);
}

export function sampleIntensityJitter(rng: Rng, opts: IntensityJitterOptions = SCANNER_JITTER): IntensityJitter {
  checkRange('scale', opts.scale);
  checkRange('offsetHu', opts.offsetHu);
  checkRange('noiseHu', opts.noiseHu);
  if (opts.scale[0] <= 0) throw new RangeError(`intensity jitter scale must be > 0, got [${opts.scale.join(', ')}]`);
  if (opts.noiseHu[0] < 0) throw new RangeError(`intensity jitter noiseHu must be >= 0, got [${opts.noiseHu.join(', ')}]`);
  return {
    scale: rng.uniform(opts.scale[0], opts.scale[1]),
    offsetHu: rng.uniform(opts.offsetHu[0], opts.offsetHu[1]),
    noiseHu: rng.uniform(opts.noiseHu[0], opts.noiseHu[1]),
    noiseSeed: rng.int(0, 0x7fffffff),
  };
}

/**
 * A windowed image (values in [0, 1] of `win`) as if scanned with HU' = s·HU + o plus noise.
 * `slice` separates the noise of the slices of one scan (same draw, independent pixels).
 */
export function jitterWindowed(img: Image2D, win: CtWindow, j: IntensityJitter, slice = 0): Image2D {
  const lo = win.level - win.width / 2;
  const shift = ((j.scale - 1) * lo + j.offsetHu) / win.width;
  const sd = j.noiseHu / win.width;
  const out = new Float32Array(img.data.length);
  const rng = sd > 0 ? createRng((j.noiseSeed + Math.imul(slice + 1, 0x9e3779b1)) | 0) : null;
  for (let i = 0; i < out.length; i++) {
    let v = j.scale * img.data[i] + shift;
    if (rng) v += sd * gaussian(rng);
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...img, data: out };
}

/** Standard normal by Box–Muller (one of the pair; augmentation needs no speed here). */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}
