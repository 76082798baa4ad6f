/**
 * Superpixel perturbations shared by LIME and Kernel SHAP: what a hidden superpixel shows, and
 * the image seen by the model for one on/off vector z ∈ {0,1}^M.
 */
import { gaussianBlur, type Image2D } from './image.js';
import type { Superpixels } from './slic.js';

/**
 * What replaces a hidden superpixel: its own mean intensity (lime_image's default when
 * hide_color is None), the image blurred with a Gaussian (σ = `blurSigma` pixels), zero, or a
 * constant.
 */
export type FillMode = 'mean' | 'blur' | 'zero' | { value: number };

/**
 * The model: images (each width × height, row-major) in, one score per image out. Called with
 * batches so the model runs batched.
 */
export type BatchPredict = (batch: Float32Array[]) => Promise<Float32Array | Float64Array | number[]>;

/** The "fudged" image lime_image builds: every pixel replaced by its fill value. */
export function fillImage(img: Image2D, sp: Superpixels, fill: FillMode, blurSigma = 5): Float32Array {
  const { data } = img;
  if (sp.labels.length !== data.length) throw new Error(`fillImage: superpixels cover ${sp.labels.length} pixels, image has ${data.length}`);
  if (fill === 'zero') return new Float32Array(data.length);
  if (fill === 'blur') return gaussianBlur(img, blurSigma).data;
  if (fill === 'mean') {
    const sum = new Float64Array(sp.count);
    const cnt = new Float64Array(sp.count);
    for (let p = 0; p < data.length; p++) {
      sum[sp.labels[p]] += data[p];
      cnt[sp.labels[p]]++;
    }
    return Float32Array.from(sp.labels, (l) => sum[l] / cnt[l]);
  }
  if (typeof fill === 'object' && Number.isFinite(fill.value)) return new Float32Array(data.length).fill(fill.value);
  throw new Error(`fillImage: unknown fill ${JSON.stringify(fill)} (mean | blur | zero | {value})`);
}

/** The image with superpixel s shown when z[s] = 1 and its fill when z[s] = 0. */
export function composite(img: Float32Array, fill: Float32Array, labels: Int32Array, z: ArrayLike<number>): Float32Array {
  const out = new Float32Array(img.length);
  for (let p = 0; p < img.length; p++) out[p] = z[labels[p]] ? img[p] : fill[p];
  return out;
}

/** Evaluate the model on many on/off vectors, `batchSize` images per call. */
export async function evaluateCoalitions(
  img: Float32Array,
  fill: Float32Array,
  labels: Int32Array,
  zs: ArrayLike<number>[],
  predict: BatchPredict,
  batchSize: number,
): Promise<Float64Array> {
  if (!(batchSize >= 1)) throw new Error(`batchSize must be ≥ 1 (got ${batchSize})`);
  const out = new Float64Array(zs.length);
  for (let i = 0; i < zs.length; i += batchSize) {
    const batch = zs.slice(i, i + batchSize).map((z) => composite(img, fill, labels, z));
    const y = await predict(batch);
    if (y.length !== batch.length) throw new Error(`model returned ${y.length} scores for a batch of ${batch.length} images`);
    for (let j = 0; j < batch.length; j++) {
      if (!Number.isFinite(y[j])) throw new Error(`model returned a non-finite score (${y[j]}) for perturbed sample ${i + j}`);
      out[i + j] = y[j];
    }
  }
  return out;
}
