import { assertShape, type Image2D, type Mask2D } from './image.js';

/**
 * Resizing with half-pixel centres (align_corners = False): output pixel d samples the input at
 * s = (d + 0.5) * in / out - 0.5, as PyTorch's F.interpolate, OpenCV and Pillow do.
 * - antialias false: F.interpolate(antialias=False) / OpenCV; borders replicate the edge pixel
 *   (indices clamped).
 * - antialias true: Pillow's resample (= F.interpolate(antialias=True), torchvision's default for
 *   Resize/RandomResizedCrop): when shrinking, the kernel is stretched by in/out so every input
 *   pixel contributes (no aliasing); weights are renormalised at the borders instead of clamped.
 */

/** Per output index: the input taps and their weights along one axis. */
interface Taps {
  index: Int32Array;
  weight: Float64Array;
  k: number;
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/**
 * Pillow's precompute_coeffs: support = kernel support x max(scale, 1); taps from
 * trunc(centre - support + 0.5) to trunc(centre + support + 0.5) inside the image; weights
 * kernel((x - centre + 0.5) / max(scale, 1)) normalised to sum 1.
 */
function filterTaps(inSize: number, outSize: number, kernel: (x: number) => number, kernelSupport: number): Taps {
  const scale = inSize / outSize;
  const stretch = Math.max(scale, 1);
  const support = kernelSupport * stretch;
  const k = Math.ceil(support) * 2 + 1;
  const index = new Int32Array(outSize * k);
  const weight = new Float64Array(outSize * k);
  for (let d = 0; d < outSize; d++) {
    const centre = (d + 0.5) * scale;
    const x0 = Math.max(Math.trunc(centre - support + 0.5), 0);
    const x1 = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let sum = 0;
    for (let x = x0; x < x1; x++) sum += kernel((x - centre + 0.5) / stretch);
    for (let t = 0; t < k; t++) {
      const x = x0 + t;
      // Unused taps point at a valid pixel with weight 0.
      index[d * k + t] = Math.min(x, inSize - 1);
      weight[d * k + t] = x < x1 && sum !== 0 ? kernel((x - centre + 0.5) / stretch) / sum : 0;
    }
  }
  return { index, weight, k };
}

const triangle = (x: number): number => Math.max(0, 1 - Math.abs(x));

function linearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize * 2);
  const weight = new Float64Array(outSize * 2);
  for (let d = 0; d < outSize; d++) {
    // PyTorch clamps negative source coordinates to 0 for (bi)linear.
    const s = Math.max(0, (d + 0.5) * scale - 0.5);
    const i0 = Math.floor(s);
    const t = s - i0;
    index[2 * d] = clampIndex(i0, inSize);
    index[2 * d + 1] = clampIndex(i0 + 1, inSize);
    weight[2 * d] = 1 - t;
    weight[2 * d + 1] = t;
  }
  return { index, weight, k: 2 };
}

/**
 * Keys' cubic convolution kernel W(x) (Keys 1981) with free parameter a:
 * (a+2)|x|^3 - (a+3)|x|^2 + 1 for |x| <= 1; a|x|^3 - 5a|x|^2 + 8a|x| - 4a for 1 < |x| < 2; 0 beyond.
 */
export function cubicKernel(x: number, a: number): number {
  const ax = Math.abs(x);
  if (ax <= 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
  return 0;
}

function cubicTaps(inSize: number, outSize: number, a: number): Taps {
  const scale = inSize / outSize;
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  for (let d = 0; d < outSize; d++) {
    // Not clamped for cubic (as PyTorch's upsample_bicubic2d): the 4 taps are clamped instead.
    const s = (d + 0.5) * scale - 0.5;
    const i0 = Math.floor(s);
    const t = s - i0;
    for (let k = 0; k < 4; k++) {
      index[4 * d + k] = clampIndex(i0 - 1 + k, inSize);
      weight[4 * d + k] = cubicKernel(t - (k - 1), a);
    }
  }
  return { index, weight, k: 4 };
}

/** Separable resampling: columns first, then rows, in float64, stored once as float32. */
function separable(img: Image2D, outRows: number, outColumns: number, rowTaps: Taps, colTaps: Taps): Image2D {
  const { rows, columns, channels } = img;
  const tmp = new Float64Array(rows * outColumns * channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < outColumns; c++) {
      for (let ch = 0; ch < channels; ch++) {
        let acc = 0;
        for (let k = 0; k < colTaps.k; k++) {
          acc += colTaps.weight[c * colTaps.k + k] * img.data[(r * columns + colTaps.index[c * colTaps.k + k]) * channels + ch];
        }
        tmp[(r * outColumns + c) * channels + ch] = acc;
      }
    }
  }
  const out = new Float32Array(outRows * outColumns * channels);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outColumns; c++) {
      for (let ch = 0; ch < channels; ch++) {
        let acc = 0;
        for (let k = 0; k < rowTaps.k; k++) {
          acc += rowTaps.weight[r * rowTaps.k + k] * tmp[(rowTaps.index[r * rowTaps.k + k] * outColumns + c) * channels + ch];
        }
        out[(r * outColumns + c) * channels + ch] = acc;
      }
    }
  }
  return { data: out, rows: outRows, columns: outColumns, channels };
}

function checkSize(outRows: number, outColumns: number): void {
  if (!(Number.isInteger(outRows) && Number.isInteger(outColumns) && outRows > 0 && outColumns > 0)) {
    throw new RangeError(`resize target must be positive integers, got ${outRows}x${outColumns}`);
  }
}

export interface ResizeOptions {
  /** Pillow / torchvision-style antialiasing (see the top of this file). Default false. */
  antialias?: boolean;
}

export function resizeBilinear(img: Image2D, outRows: number, outColumns: number, opts: ResizeOptions = {}): Image2D {
  assertShape(img);
  checkSize(outRows, outColumns);
  const taps = (i: number, o: number): Taps => (opts.antialias ? filterTaps(i, o, triangle, 1) : linearTaps(i, o));
  return separable(img, outRows, outColumns, taps(img.rows, outRows), taps(img.columns, outColumns));
}

export interface BicubicOptions extends ResizeOptions {
  /** Keys' parameter; default -0.5. */
  a?: number;
}

/**
 * Bicubic resize with Keys' kernel. Default a = -0.5: Keys' own choice (third-order accurate),
 * Pillow's BICUBIC and PyTorch's antialias=True bicubic. F.interpolate(mode='bicubic',
 * antialias=False) and OpenCV's INTER_CUBIC use a = -0.75: pass it to reproduce them exactly.
 */
export function resizeBicubic(img: Image2D, outRows: number, outColumns: number, opts: BicubicOptions = {}): Image2D {
  assertShape(img);
  checkSize(outRows, outColumns);
  const a = opts.a ?? -0.5;
  const taps = (i: number, o: number): Taps => (opts.antialias ? filterTaps(i, o, (x) => cubicKernel(x, a), 2) : cubicTaps(i, o, a));
  return separable(img, outRows, outColumns, taps(img.rows, outRows), taps(img.columns, outColumns));
}

/** Nearest-neighbour source index with half-pixel centres (PyTorch 'nearest-exact', OpenCV INTER_NEAREST_EXACT). */
function nearestIndex(d: number, inSize: number, outSize: number): number {
  return Math.min(Math.floor((d + 0.5) * (inSize / outSize)), inSize - 1);
}

/** Nearest-neighbour resize for label masks: never invents a label that is not in the input. */
export function resizeNearestMask(mask: Mask2D, outRows: number, outColumns: number): Mask2D {
  checkSize(outRows, outColumns);
  const out = new Uint8Array(outRows * outColumns);
  const cols = new Int32Array(outColumns);
  for (let c = 0; c < outColumns; c++) cols[c] = nearestIndex(c, mask.columns, outColumns);
  for (let r = 0; r < outRows; r++) {
    const sr = nearestIndex(r, mask.rows, outRows);
    for (let c = 0; c < outColumns; c++) out[r * outColumns + c] = mask.data[sr * mask.columns + cols[c]];
  }
  return { data: out, rows: outRows, columns: outColumns };
}
