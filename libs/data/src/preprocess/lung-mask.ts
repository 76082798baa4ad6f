import { assertShape, type Image2D, type Mask2D } from './image.js';
import { fillHoles, labelComponents } from './components.js';
import type { CropBox } from './crop.js';

export interface LungMaskOptions {
  /** HU below which a pixel is air or aerated lung; -320 HU separates lung from soft tissue. */
  thresholdHu: number;
  /** keep at most this many components (the two lungs; they may touch and form one). */
  maxComponents: number;
  /** drop components smaller than this fraction of the slice (bowel gas, trachea, noise). */
  minAreaFraction: number;
}

export const DEFAULT_LUNG_MASK: Readonly<LungMaskOptions> = Object.freeze({ thresholdHu: -320, maxComponents: 2, minAreaFraction: 0.005 });

/**
 * A classical lung mask for one CT slice in HU: threshold, 4-connected components, discard those
 * touching the border (air outside the body), keep the largest `maxComponents` above the minimum
 * area, fill holes (vessels and nodules inside the lung). Optional for the classifier: a cue for
 * cropping or display, never an input the model needs (paper 4.1.2 used a U-Net for this).
 */
export function lungMask(hu: Image2D, opts: Partial<LungMaskOptions> = {}): Mask2D {
  assertShape(hu);
  if (hu.channels !== 1) throw new RangeError(`lung mask needs a single-channel CT slice, got ${hu.channels} channels`);
  const o = { ...DEFAULT_LUNG_MASK, ...opts };
  const { rows, columns } = hu;
  const air = new Uint8Array(rows * columns);
  for (let i = 0; i < air.length; i++) air[i] = hu.data[i] < o.thresholdHu ? 1 : 0;
  const cc = labelComponents(air, rows, columns, 4);
  const minArea = o.minAreaFraction * rows * columns;
  const candidates: number[] = [];
  for (let id = 1; id <= cc.count; id++) if (!cc.touchesBorder[id] && cc.sizes[id] >= minArea) candidates.push(id);
  candidates.sort((a, b) => cc.sizes[b] - cc.sizes[a] || a - b);
  const keep = new Set(candidates.slice(0, o.maxComponents));
  const mask = new Uint8Array(rows * columns);
  for (let i = 0; i < mask.length; i++) mask[i] = keep.has(cc.labels[i]) ? 1 : 0;
  return { data: fillHoles(mask, rows, columns), rows, columns };
}

/** Tight bounding box of the mask's foreground, or null when it is empty. */
export function maskBoundingBox(mask: Mask2D): CropBox | null {
  let r0 = Infinity;
  let r1 = -1;
  let c0 = Infinity;
  let c1 = -1;
  for (let r = 0; r < mask.rows; r++) {
    for (let c = 0; c < mask.columns; c++) {
      if (mask.data[r * mask.columns + c] === 0) continue;
      if (r < r0) r0 = r;
      if (r > r1) r1 = r;
      if (c < c0) c0 = c;
      if (c > c1) c1 = c;
    }
  }
  return r1 < 0 ? null : { top: r0, left: c0, height: r1 - r0 + 1, width: c1 - c0 + 1 };
}
