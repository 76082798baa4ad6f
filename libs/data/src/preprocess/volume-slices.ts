import { sliceView, type Volume } from '../volume.js';
import type { CropBox } from './crop.js';
import type { Image2D, Mask2D } from './image.js';
import { lungMask, maskBoundingBox, type LungMaskOptions } from './lung-mask.js';
import { preprocessClassifySlice, type ClassifyAugmentation, type ClassifyPreprocessOptions } from './pipelines.js';

/** Slice s of a volume as an Image2D (a view: the preprocessing functions never write their input). */
export function sliceImage(v: Volume, s: number): Image2D {
  if (!(Number.isInteger(s) && s >= 0 && s < v.slices)) throw new RangeError(`slice ${s} outside 0..${v.slices - 1}`);
  return { data: sliceView(v, s), rows: v.rows, columns: v.columns, channels: v.channels };
}

/** Slice s of a label-map volume as a Mask2D; labels must be whole numbers 0..255. */
export function sliceMask(v: Volume, s: number): Mask2D {
  const img = sliceImage(v, s);
  if (img.channels !== 1) throw new RangeError(`a mask has one channel, this one has ${img.channels}`);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = img.data[i];
    if (!(Number.isInteger(x) && x >= 0 && x <= 255)) throw new RangeError(`mask value ${x} at slice ${s} is not a label 0..255`);
    out[i] = x;
  }
  return { data: out, rows: v.rows, columns: v.columns };
}

/**
 * A CT volume (HU) -> classifier input, slices x size x size x channels, with one augmentation
 * draw for the whole volume (paper 4.1.2 crops and flips volumes, so slices stay aligned).
 */
export function preprocessClassifyVolume(v: Volume, aug: ClassifyAugmentation | null, opts: Partial<ClassifyPreprocessOptions> = {}): Float32Array {
  let out: Float32Array | null = null;
  for (let s = 0; s < v.slices; s++) {
    const img = preprocessClassifySlice(sliceImage(v, s), aug, opts);
    out ??= new Float32Array(v.slices * img.data.length);
    out.set(img.data, s * img.data.length);
  }
  return out ?? new Float32Array(0);
}

/**
 * One box around the lungs of a whole CT volume: the union of the per-slice lung-mask boxes,
 * widened by `margin` (fraction of its size) on each side and clipped to the slice. The whole slice
 * when no slice has lungs, so a failed mask never loses the image: the model does not depend on it.
 */
export function lungRoi(v: Volume, margin = 0.05, opts: Partial<LungMaskOptions> = {}): CropBox {
  let r0 = Infinity;
  let c0 = Infinity;
  let r1 = -1;
  let c1 = -1;
  for (let s = 0; s < v.slices; s++) {
    const b = maskBoundingBox(lungMask(sliceImage(v, s), opts));
    if (!b) continue;
    r0 = Math.min(r0, b.top);
    c0 = Math.min(c0, b.left);
    r1 = Math.max(r1, b.top + b.height - 1);
    c1 = Math.max(c1, b.left + b.width - 1);
  }
  if (r1 < 0) return { top: 0, left: 0, height: v.rows, width: v.columns };
  const mr = Math.round((r1 - r0 + 1) * margin);
  const mc = Math.round((c1 - c0 + 1) * margin);
  const top = Math.max(0, r0 - mr);
  const left = Math.max(0, c0 - mc);
  return { top, left, height: Math.min(v.rows - 1, r1 + mr) - top + 1, width: Math.min(v.columns - 1, c1 + mc) - left + 1 };
}
