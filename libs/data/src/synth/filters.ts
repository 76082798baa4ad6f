/**
 * Image filters for the scanner model, on flat typed arrays laid out as Volume.data
 * (slices, rows, columns). Separable: a 2-D Gaussian costs two 1-D passes.
 */
import { SynthRng } from './rng.js';

/** Normalised 1-D Gaussian kernel, radius ceil(3 sigma). */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) return Float32Array.of(1);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Convolve along one axis with edge clamping, in place. `stride` is the distance between
 * neighbours on that axis, `n` their count, `lines` enumerates line starts via (outer, inner).
 */
function convolveAxis(data: Float32Array, n: number, stride: number, outer: number, outerStride: number, inner: number, kernel: Float32Array): void {
  const r = (kernel.length - 1) >> 1;
  const line = new Float32Array(n + 2 * r);
  for (let o = 0; o < outer; o++) {
    for (let q = 0; q < inner; q++) {
      const base = o * outerStride + q;
      for (let i = 0; i < n; i++) line[i + r] = data[base + i * stride];
      const first = line[r];
      const last = line[r + n - 1];
      for (let i = 0; i < r; i++) {
        line[i] = first;
        line[r + n + i] = last;
      }
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let k = 0; k < kernel.length; k++) acc += kernel[k] * line[i + k];
        data[base + i * stride] = acc;
      }
    }
  }
}

/** In-plane Gaussian blur of every slice (sigma in pixels), in place. */
export function blurInPlane(data: Float32Array, slices: number, rows: number, columns: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return data;
  const k = gaussianKernel(sigma);
  // along columns: each (slice,row) line is contiguous
  convolveAxis(data, columns, 1, slices * rows, columns, 1, k);
  // along rows: stride = columns; lines start at (slice, 0, c)
  convolveAxis(data, rows, columns, slices, rows * columns, columns, k);
  return data;
}

/** Gaussian blur along the slice axis (sigma in slices), in place. */
export function blurThroughPlane(data: Float32Array, slices: number, rows: number, columns: number, sigma: number): Float32Array {
  if (!(sigma > 0) || slices < 2) return data;
  convolveAxis(data, slices, rows * columns, 1, 0, rows * columns, gaussianKernel(sigma));
  return data;
}

/**
 * Smooth 3-D value noise in [-1, 1]: random values on an integer lattice, interpolated with a
 * smoothstep-weighted trilinear blend. Coordinates are in lattice cells; the lattice wraps.
 */
export class ValueNoise3 {
  private readonly v: Float32Array;
  private readonly mask: number;
  /** `n` (lattice size) must be a power of two: wrapping is a bit mask. */
  constructor(rng: SynthRng, private readonly n = 16) {
    if (!(n >= 2 && (n & (n - 1)) === 0)) throw new Error(`value-noise lattice size must be a power of two, got ${n}`);
    this.mask = n - 1;
    this.v = new Float32Array(n * n * n);
    for (let i = 0; i < this.v.length; i++) this.v[i] = 2 * rng.next() - 1;
  }

  at(x: number, y: number, z: number): number {
    const n = this.n;
    const fx = Math.floor(x);
    const fy = Math.floor(y);
    const fz = Math.floor(z);
    let tx = x - fx;
    let ty = y - fy;
    let tz = z - fz;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    tz = tz * tz * (3 - 2 * tz);
    const m = this.mask;
    const x0 = fx & m;
    const y0 = fy & m;
    const z0 = fz & m;
    const x1 = (x0 + 1) & m;
    const y1 = (y0 + 1) & m;
    const z1 = (z0 + 1) & m;
    const v = this.v;
    const a = z0 * n * n;
    const b = z1 * n * n;
    const c00 = v[a + y0 * n + x0] + tx * (v[a + y0 * n + x1] - v[a + y0 * n + x0]);
    const c10 = v[a + y1 * n + x0] + tx * (v[a + y1 * n + x1] - v[a + y1 * n + x0]);
    const c01 = v[b + y0 * n + x0] + tx * (v[b + y0 * n + x1] - v[b + y0 * n + x0]);
    const c11 = v[b + y1 * n + x0] + tx * (v[b + y1 * n + x1] - v[b + y1 * n + x0]);
    const c0 = c00 + ty * (c10 - c00);
    const c1 = c01 + ty * (c11 - c01);
    return c0 + tz * (c1 - c0);
  }
}
