/**
 * Lesion boxes from a CAM, following Zhou et al. (CVPR 2016, "Learning deep features for
 * discriminative localization"): keep the pixels whose activation is at least a fraction of the
 * map's maximum (their default, and ours: 0.2), label the 8-connected components (the default
 * connectivity of skimage.measure.label in 2-D) and put one box around each component whose
 * area reaches `minArea` pixels.
 */
import type { Image2D } from './image.js';

/** [x0, y0, x1, y1], inclusive pixel coordinates. */
export type Box = [number, number, number, number];

export interface BoxOptions {
  /** Threshold as a fraction of the CAM's maximum (default 0.2, Zhou et al. 2016). */
  fraction?: number;
  /** Components smaller than this many pixels get no box (default 16). */
  minArea?: number;
}

export interface CamBox {
  box: Box;
  area: number;
  /** Largest CAM value inside the component. */
  peak: number;
}

/**
 * Label connected components of a binary mask (8- or 4-connectivity), labels 1..n in raster
 * order of each component's first pixel, 0 for background.
 */
export function connectedComponents(mask: Uint8Array, width: number, height: number, connectivity: 4 | 8 = 8): { labels: Int32Array; count: number } {
  if (mask.length !== width * height) throw new Error(`connectedComponents: mask has ${mask.length} pixels, expected ${width}×${height}`);
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    count++;
    labels[start] = count;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const p = stack[--top];
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue;
          const x = px + dx;
          const y = py + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const q = y * width + x;
          if (mask[q] && !labels[q]) {
            labels[q] = count;
            stack[top++] = q;
          }
        }
    }
  }
  return { labels, count };
}

/** Boxes around the components of a labelled image (label 0 = background), with their areas. */
export function componentBoxes(labels: Int32Array, width: number, count: number): { box: Box; area: number }[] {
  const out = Array.from({ length: count }, () => ({ box: [Infinity, Infinity, -1, -1] as Box, area: 0 }));
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p];
    if (!l) continue;
    const x = p % width;
    const y = (p - x) / width;
    const b = out[l - 1].box;
    if (x < b[0]) b[0] = x;
    if (y < b[1]) b[1] = y;
    if (x > b[2]) b[2] = x;
    if (y > b[3]) b[3] = y;
    out[l - 1].area++;
  }
  return out;
}

/** Boxes of a CAM (already at the input size), largest peak first. */
export function boxesFromCam(cam: Image2D, options: BoxOptions = {}): CamBox[] {
  const fraction = options.fraction ?? 0.2;
  const minArea = options.minArea ?? 16;
  const { data, width, height } = cam;
  if (data.length !== width * height) throw new Error(`boxesFromCam: map has ${data.length} values, expected ${width}×${height}`);
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`boxesFromCam: fraction must be in (0, 1] (got ${fraction})`);
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) if (data[i] > max) max = data[i];
  // A map with no positive evidence has nothing to box.
  if (!(max > 0)) return [];
  const t = fraction * max;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] >= t ? 1 : 0;
  const { labels, count } = connectedComponents(mask, width, height, 8);
  const comps = componentBoxes(labels, width, count);
  const peaks = new Float64Array(count).fill(-Infinity);
  for (let p = 0; p < labels.length; p++) if (labels[p] && data[p] > peaks[labels[p] - 1]) peaks[labels[p] - 1] = data[p];
  return comps
    .map((c, i) => ({ box: c.box, area: c.area, peak: peaks[i] }))
    .filter((c) => c.area >= minArea)
    .sort((a, b) => b.peak - a.peak);
}
