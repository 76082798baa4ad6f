/**
 * Explanation quality against the model and against the phantoms' lesion masks:
 * - deletion / insertion curves (Petsiuk et al., RISE, BMVC 2018): pixels are removed from the
 *   image (replaced by the baseline, default zero) or inserted into the baseline (default a
 *   blurred image) in order of decreasing saliency, the model's score is recorded at
 *   `steps` + 1 evenly spaced fractions and integrated by the trapezoid rule over [0, 1]:
 *   deletion AUC lower is better, insertion AUC higher is better;
 * - pointing game (Zhang et al., ECCV 2016): the saliency maximum falls on the lesion (within
 *   `tolerance` pixels, default 0);
 * - box IoU between CAM boxes and the boxes of the mask's connected components.
 */
import { componentBoxes, connectedComponents, type Box } from './boxes.js';
import { checkImage, gaussianBlur, type Image2D } from './image.js';
import type { BatchPredict } from './perturb.js';
import type { Superpixels } from './slic.js';

/** Trapezoid rule for samples y at evenly spaced x over [0, 1]. */
export function trapezoidAuc(y: ArrayLike<number>): number {
  if (y.length < 2) throw new Error(`trapezoidAuc: need at least 2 points (got ${y.length})`);
  const h = 1 / (y.length - 1);
  let s = 0;
  for (let i = 0; i + 1 < y.length; i++) s += ((y[i] + y[i + 1]) / 2) * h;
  return s;
}

/** Spread per-superpixel values onto the pixels (for curves and the pointing game). */
export function superpixelMap(values: ArrayLike<number>, sp: Superpixels): Float32Array {
  if (values.length !== sp.count) throw new Error(`superpixelMap: ${values.length} values for ${sp.count} superpixels`);
  return Float32Array.from(sp.labels, (l) => values[l]);
}

export type CurveBaseline = 'zero' | 'blur' | { value: number };

export interface CurveOptions {
  /** Number of steps (default 32): the curve has steps + 1 points. */
  steps?: number;
  deletionBaseline?: CurveBaseline;
  insertionBaseline?: CurveBaseline;
  blurSigma?: number;
  batchSize?: number;
}

export interface Curve {
  /** Fraction of pixels removed / inserted at each point. */
  fractions: Float64Array;
  scores: Float64Array;
  auc: number;
}

function baselineImage(img: Image2D, b: CurveBaseline, sigma: number): Float32Array {
  if (b === 'zero') return new Float32Array(img.data.length);
  if (b === 'blur') return gaussianBlur(img, sigma).data;
  if (typeof b === 'object' && Number.isFinite(b.value)) return new Float32Array(img.data.length).fill(b.value);
  throw new Error(`deletion/insertion: unknown baseline ${JSON.stringify(b)} (zero | blur | {value})`);
}

/** Pixel order by decreasing saliency, ties by index (deterministic). */
export function saliencyOrder(saliency: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: saliency.length }, (_, i) => i);
  return idx.sort((a, b) => saliency[b] - saliency[a] || a - b);
}

async function curve(img: Image2D, order: Int32Array, from: Float32Array, to: Float32Array, predict: BatchPredict, steps: number, batchSize: number): Promise<Curve> {
  const N = img.data.length;
  const fractions = Float64Array.from({ length: steps + 1 }, (_, k) => k / steps);
  const images: Float32Array[] = [];
  const cur = Float32Array.from(from);
  let done = 0;
  for (let k = 0; k <= steps; k++) {
    const upto = Math.round((k / steps) * N);
    for (; done < upto; done++) cur[order[done]] = to[order[done]];
    images.push(Float32Array.from(cur));
  }
  const scores = new Float64Array(steps + 1);
  for (let i = 0; i < images.length; i += batchSize) {
    const batch = images.slice(i, i + batchSize);
    const y = await predict(batch);
    if (y.length !== batch.length) throw new Error(`model returned ${y.length} scores for a batch of ${batch.length} images`);
    for (let j = 0; j < batch.length; j++) scores[i + j] = y[j];
  }
  return { fractions, scores, auc: trapezoidAuc(scores) };
}

/** Deletion and insertion curves of one saliency map (one value per pixel). */
export async function deletionInsertion(img: Image2D, saliency: ArrayLike<number>, predict: BatchPredict, options: CurveOptions = {}): Promise<{ deletion: Curve; insertion: Curve }> {
  checkImage(img, 'deletionInsertion image');
  if (saliency.length !== img.data.length) throw new Error(`deletionInsertion: saliency has ${saliency.length} values, image ${img.data.length} pixels`);
  const steps = options.steps ?? 32;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new Error(`deletionInsertion: steps must be a positive integer (got ${steps})`);
  const sigma = options.blurSigma ?? 5;
  const batchSize = options.batchSize ?? 32;
  const order = saliencyOrder(saliency);
  const del = baselineImage(img, options.deletionBaseline ?? 'zero', sigma);
  const ins = baselineImage(img, options.insertionBaseline ?? 'blur', sigma);
  const deletion = await curve(img, order, img.data, del, predict, steps, batchSize);
  const insertion = await curve(img, order, ins, img.data, predict, steps, batchSize);
  return { deletion, insertion };
}

/**
 * The saliency maximum as one point. Ties (a plateau: a coarse CAM upsampled with edge clamping is
 * flat over a whole border block) give the tied pixel nearest the plateau's centroid, first in
 * raster order among equals; taking the first tied pixel would put the point in a corner of the
 * image for every top-left maximum, off the body, whatever the CAM says.
 */
export function saliencyPeak(saliency: ArrayLike<number>, width: number): [number, number] {
  let max = -Infinity;
  for (let i = 0; i < saliency.length; i++) if (saliency[i] > max) max = saliency[i];
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < saliency.length; i++)
    if (saliency[i] === max) {
      sx += i % width;
      sy += Math.floor(i / width);
      n++;
    }
  if (n === 0) return [0, 0]; // all NaN: nothing to point at
  const cx = sx / n;
  const cy = sy / n;
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < saliency.length; i++) {
    if (saliency[i] !== max) continue;
    const d = (i % width - cx) ** 2 + (Math.floor(i / width) - cy) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  return [best % width, Math.floor(best / width)];
}

/** Pointing game (Zhang et al.): is the saliency maximum (saliencyPeak) within `tolerance` px of the mask? */
export function pointingGame(saliency: ArrayLike<number>, mask: ArrayLike<number>, width: number, tolerance = 0): { hit: boolean; point: [number, number] } {
  if (saliency.length !== mask.length) throw new Error(`pointingGame: saliency has ${saliency.length} values, mask ${mask.length}`);
  if (saliency.length % width !== 0) throw new Error(`pointingGame: ${saliency.length} values is not a multiple of width ${width}`);
  const [px, py] = saliencyPeak(saliency, width);
  const height = saliency.length / width;
  const r = Math.ceil(tolerance);
  for (let y = Math.max(0, py - r); y <= Math.min(height - 1, py + r); y++)
    for (let x = Math.max(0, px - r); x <= Math.min(width - 1, px + r); x++)
      if (mask[y * width + x] && (x - px) ** 2 + (y - py) ** 2 <= tolerance * tolerance) return { hit: true, point: [px, py] };
  return { hit: false, point: [px, py] };
}

/**
 * Chance level of the pointing game: the probability that a uniformly random pixel is a hit,
 * i.e. the fraction of pixels within `tolerance` of the mask. Compare hit rates against it.
 */
export function pointingChance(mask: ArrayLike<number>, width: number, tolerance = 0): number {
  if (mask.length % width !== 0) throw new Error(`pointingChance: ${mask.length} values is not a multiple of width ${width}`);
  const height = mask.length / width;
  const r = Math.ceil(tolerance);
  let hits = 0;
  for (let py = 0; py < height; py++)
    for (let px = 0; px < width; px++) {
      let hit = false;
      for (let y = Math.max(0, py - r); y <= Math.min(height - 1, py + r) && !hit; y++)
        for (let x = Math.max(0, px - r); x <= Math.min(width - 1, px + r); x++)
          if (mask[y * width + x] && (x - px) ** 2 + (y - py) ** 2 <= tolerance * tolerance) {
            hit = true;
            break;
          }
      if (hit) hits++;
    }
  return hits / mask.length;
}

/** IoU of two inclusive pixel boxes [x0, y0, x1, y1]. */
export function boxIou(a: Box, b: Box): number {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const area = (r: Box): number => (r[2] - r[0] + 1) * (r[3] - r[1] + 1);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Boxes around the 8-connected components of a lesion mask. */
export function maskBoxes(mask: ArrayLike<number>, width: number, height: number): Box[] {
  const m = Uint8Array.from(mask as ArrayLike<number>, (v) => (v ? 1 : 0));
  const { labels, count } = connectedComponents(m, width, height, 8);
  return componentBoxes(labels, width, count).map((c) => c.box);
}

/**
 * Predicted boxes against the lesion mask: for every lesion component the best IoU of any
 * predicted box (0 when none), their mean, and the fraction of lesions found at IoU ≥ `threshold`
 * (default 0.5, the PASCAL VOC criterion); plus the precision of predicted boxes at that threshold.
 */
export function boxScores(pred: Box[], mask: ArrayLike<number>, width: number, height: number, threshold = 0.5): { perLesion: number[]; meanIou: number; recall: number; precision: number } {
  const gt = maskBoxes(mask, width, height);
  const perLesion = gt.map((g) => pred.reduce((m, p) => Math.max(m, boxIou(p, g)), 0));
  const matchedPred = pred.filter((p) => gt.some((g) => boxIou(p, g) >= threshold)).length;
  return {
    perLesion,
    meanIou: perLesion.length ? perLesion.reduce((a, b) => a + b, 0) / perLesion.length : 0,
    recall: gt.length ? perLesion.filter((v) => v >= threshold).length / gt.length : 0,
    precision: pred.length ? matchedPred / pred.length : 0,
  };
}
