/**
 * Single-channel images as row-major Float32Array (index y * width + x), the layout every
 * method in this library takes, and the image operations they share.
 */
export interface Image2D {
  data: Float32Array;
  width: number;
  height: number;
}

/** Throws a clear error when `data` does not hold width × height finite pixels. */
export function checkImage(img: Image2D, what = 'image'): void {
  const { data, width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`${what}: width and height must be positive integers (got ${width}×${height})`);
  if (data.length !== width * height)
    throw new Error(`${what}: has ${data.length} pixels, expected ${width}×${height} = ${width * height}`);
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i])) throw new Error(`${what}: pixel ${i} is not finite (${data[i]})`);
}

/**
 * Bilinear resampling with half-pixel centres (the convention of
 * tf.image.resizeBilinear(halfPixelCenters = true), OpenCV INTER_LINEAR and PyTorch
 * align_corners = False): output pixel centre (x + 0.5) maps to input (x + 0.5)·w/W − 0.5,
 * clamped at the borders.
 */
export function resizeBilinear(img: Image2D, width: number, height: number): Image2D {
  const { data, width: w, height: h } = img;
  const out = new Float32Array(width * height);
  const sx = w / width;
  const sy = h / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = fx - x0;
      const top = data[y0 * w + x0] * (1 - tx) + data[y0 * w + x1] * tx;
      const bot = data[y1 * w + x0] * (1 - tx) + data[y1 * w + x1] * tx;
      out[y * width + x] = top * (1 - ty) + bot * ty;
    }
  }
  return { data: out, width, height };
}

/** Separable Gaussian blur, kernel radius ⌈3σ⌉, borders reflected (scipy 'reflect' mode). */
export function gaussianBlur(img: Image2D, sigma: number): Image2D {
  const { data, width, height } = img;
  if (!(sigma > 0)) return { data: Float32Array.from(data), width, height };
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  const reflect = (i: number, n: number): number => {
    // scipy 'reflect' (d c b a | a b c d | d c b a), repeated for kernels wider than the image.
    const period = 2 * n;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - 1 - j;
    return j;
  };
  const tmp = new Float64Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * data[y * width + reflect(x + i, width)];
      tmp[y * width + x] = s;
    }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[reflect(y + i, height) * width + x];
      out[y * width + x] = s;
    }
  return { data: out, width, height };
}

/** Scale to [0, 1] by (v − min) / (max − min); a constant map becomes all zeros. */
export function normaliseMinMax(data: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    lo = Math.min(lo, data[i]);
    hi = Math.max(hi, data[i]);
  }
  const out = new Float32Array(data.length);
  if (!(hi > lo)) return out;
  for (let i = 0; i < data.length; i++) out[i] = (data[i] - lo) / (hi - lo);
  return out;
}
