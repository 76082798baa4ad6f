/**
 * SLIC superpixels (Achanta et al., TPAMI 2012) for single-channel images, with the semantics of
 * skimage.segmentation.slic (0.19, checked label for label against it): a regular grid of seeds
 * (skimage's regular_grid), k-means restricted to a ±2S window around each centre with distance
 * D² = (d_I / m)² + (d_s / S)², ten iterations, then enforced connectivity (components below
 * 0.5·N/K pixels join the adjacent segment met last in the breadth-first search, components grow
 * to at most 3·N/K pixels).
 *
 * Medical images come in arbitrary units (HU, z-scores, raw MRI), so the intensity distance d_I is
 * measured on the image's own scale: intensities are mapped to [0, 1] by (v − min)/(max − min)
 * (as skimage does), and the compactness m is a fraction of that range (default 0.1; skimage's
 * default 10 is meant for Lab colour). Deterministic: no randomness anywhere.
 */
import type { Image2D } from './image.js';

export interface SlicOptions {
  /** Approximate number of superpixels (default 50). */
  nSegments?: number;
  /** m: intensity difference (as a fraction of the image's range) worth one grid step S (default 0.1). */
  compactness?: number;
  /** k-means iterations (default 10, skimage's max_num_iter). */
  maxIter?: number;
  /** Merge components smaller than this fraction of N/K (default 0.5). */
  minSizeFactor?: number;
  /** Split components larger than this multiple of N/K (default 3). */
  maxSizeFactor?: number;
}

export interface Superpixels {
  /** Segment label per pixel, 0..count−1. */
  labels: Int32Array;
  count: number;
  width: number;
  height: number;
}

/** skimage.util.regular_grid for a 2-D shape: start ⌊step/2⌋ and stride round(step) per axis. */
function regularGrid(height: number, width: number, n: number): { ys: number[]; xs: number[]; stepY: number; stepX: number } {
  const dims = [height, width];
  const order = [0, 1].sort((a, b) => dims[a] - dims[b]);
  const sorted = order.map((i) => dims[i]);
  let steps = [Math.sqrt((height * width) / n), Math.sqrt((height * width) / n)];
  if (height * width <= n) steps = [1, 1];
  else if (sorted[0] < steps[0]) steps = [sorted[0], sorted[1] / n];
  const start = steps.map((s) => Math.floor(s / 2));
  const stride = steps.map((s) => Math.max(1, Math.round(s)));
  const unsorted = { start: [0, 0], stride: [1, 1] };
  order.forEach((dim, k) => {
    unsorted.start[dim] = start[k];
    unsorted.stride[dim] = stride[k];
  });
  const ys: number[] = [];
  const xs: number[] = [];
  for (let y = unsorted.start[0]; y < height; y += unsorted.stride[0]) ys.push(y);
  for (let x = unsorted.start[1]; x < width; x += unsorted.stride[1]) xs.push(x);
  return { ys, xs, stepY: unsorted.stride[0], stepX: unsorted.stride[1] };
}

export function slic(img: Image2D, options: SlicOptions = {}): Superpixels {
  const nSegments = options.nSegments ?? 50;
  const compactness = options.compactness ?? 0.1;
  const maxIter = options.maxIter ?? 10;
  const minSizeFactor = options.minSizeFactor ?? 0.5;
  const maxSizeFactor = options.maxSizeFactor ?? 3;
  const { data, width, height } = img;
  if (data.length !== width * height) throw new Error(`slic: image has ${data.length} pixels, expected ${width}×${height}`);
  if (!(nSegments >= 1)) throw new Error(`slic: nSegments must be ≥ 1 (got ${nSegments})`);
  if (!(compactness > 0)) throw new Error(`slic: compactness must be > 0 (got ${compactness})`);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`slic: pixel ${i} is not finite`);
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  const range = hi > lo ? hi - lo : 1;
  // Intensities on the image's own scale, divided by m: D² = Δv² + (Δs/S)².
  const v = new Float64Array(data.length);
  const ratio = 1 / compactness; // multiplied, as skimage does, so rounding matches
  for (let i = 0; i < data.length; i++) v[i] = ((data[i] - lo) / range) * ratio;

  const grid = regularGrid(height, width, nSegments);
  const K = grid.ys.length * grid.xs.length;
  const cy = new Float64Array(K);
  const cx = new Float64Array(K);
  const cv = new Float64Array(K);
  let k0 = 0;
  for (const y of grid.ys)
    for (const x of grid.xs) {
      cy[k0] = y;
      cx[k0] = x;
      // skimage starts every centre's intensity at 0 (the image minimum after scaling), so the
      // first assignment is purely spatial and the first update takes grid-cell means.
      cv[k0] = 0;
      k0++;
    }
  const step = Math.max(grid.stepY, grid.stepX);
  const spatialWeight = 1 / (step * step);
  // As _slic_cython, the search windows come from a second regular grid for the actual number
  // of centres K (which can differ from nSegments), the spatial weight from the first.
  const win = regularGrid(height, width, K);
  const labels = new Int32Array(data.length).fill(-1);
  const dist = new Float64Array(data.length);
  const sy = new Float64Array(K);
  const sx = new Float64Array(K);
  const sv = new Float64Array(K);
  const cnt = new Float64Array(K);
  for (let it = 0; it < maxIter; it++) {
    let changed = false;
    dist.fill(Infinity);
    for (let k = 0; k < K; k++) {
      const y0 = Math.max(Math.trunc(cy[k] - 2 * win.stepY), 0);
      const y1 = Math.min(Math.trunc(cy[k] + 2 * win.stepY + 1), height);
      const x0 = Math.max(Math.trunc(cx[k] - 2 * win.stepX), 0);
      const x1 = Math.min(Math.trunc(cx[k] + 2 * win.stepX + 1), width);
      for (let y = y0; y < y1; y++) {
        const dy = (y - cy[k]) * (y - cy[k]);
        for (let x = x0; x < x1; x++) {
          const p = y * width + x;
          const dv = v[p] - cv[k];
          const d = (dy + (x - cx[k]) * (x - cx[k])) * spatialWeight + dv * dv;
          if (d < dist[p]) {
            dist[p] = d;
            if (labels[p] !== k) {
              labels[p] = k;
              changed = true;
            }
          }
        }
      }
    }
    if (!changed) break;
    sy.fill(0);
    sx.fill(0);
    sv.fill(0);
    cnt.fill(0);
    for (let p = 0; p < labels.length; p++) {
      const k = labels[p];
      if (k < 0) continue;
      const x = p % width;
      sy[k] += (p - x) / width;
      sx[k] += x;
      sv[k] += v[p];
      cnt[k]++;
    }
    for (let k = 0; k < K; k++)
      if (cnt[k] > 0) {
        cy[k] = sy[k] / cnt[k];
        cx[k] = sx[k] / cnt[k];
        cv[k] = sv[k] / cnt[k];
      }
  }
  const segmentSize = (width * height) / K;
  return enforceConnectivity(labels, width, height, Math.trunc(minSizeFactor * segmentSize), Math.trunc(maxSizeFactor * segmentSize));
}

/**
 * skimage's _enforce_label_connectivity_cython in 2-D: breadth-first search over 4-connected
 * pixels of one label (stopping at maxSize), components under minSize take the label of the
 * adjacent already-relabelled component (the last one met), as in Achanta et al.
 */
export function enforceConnectivity(segments: Int32Array, width: number, height: number, minSize: number, maxSize: number): Superpixels {
  const n = width * height;
  const out = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  // skimage's neighbour order (x+1, x−1, y+1, y−1) decides which neighbour is "adjacent".
  const dxs = [1, -1, 0, 0];
  const dys = [0, 0, 1, -1];
  for (let start = 0; start < n; start++) {
    if (out[start] >= 0) continue;
    // skimage 0.19: a small piece with no relabelled neighbour keeps the label the next piece gets.
    let adjacent = next;
    const label = segments[start];
    out[start] = next;
    let size = 1;
    let visited = 0;
    queue[0] = start;
    while (visited < size && size < Math.max(maxSize, 1)) {
      const p = queue[visited];
      const px = p % width;
      const py = (p - px) / width;
      for (let i = 0; i < 4; i++) {
        const x = px + dxs[i];
        const y = py + dys[i];
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const q = y * width + x;
        if (segments[q] === label && out[q] === -1) {
          out[q] = next;
          queue[size++] = q;
          if (size >= maxSize) break;
        } else if (out[q] >= 0 && out[q] !== next) adjacent = out[q];
      }
      visited++;
    }
    if (size < minSize) for (let i = 0; i < size; i++) out[queue[i]] = adjacent;
    else next++;
  }
  // A merged first component may leave label `next` unused; relabel densely in raster order.
  const map = new Map<number, number>();
  for (let p = 0; p < n; p++) {
    let m = map.get(out[p]);
    if (m === undefined) {
      m = map.size;
      map.set(out[p], m);
    }
    out[p] = m;
  }
  return { labels: out, count: map.size, width, height };
}
