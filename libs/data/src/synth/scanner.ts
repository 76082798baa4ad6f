/**
 * The acquisition model that turns a phantom's truth into what a centre's scanner stores:
 * in-plane blur (point-spread function), calibration (scale/offset), noise, quantisation to the
 * stored integer grid. Returns both the stored int16 values and the real values they encode, so
 * callers can measure exactly what a reader will see.
 */
import { toStoredInt16 } from '../writers/dicom.js';
import { blurInPlane } from './filters.js';
import type { SynthRng } from './rng.js';
import type { CentreSignature } from './signature.js';

export interface Dims {
  slices: number;
  rows: number;
  columns: number;
}

export interface Scanned {
  stored: Int16Array;
  /** stored * slope + intercept */
  values: Float32Array;
  slope: number;
  intercept: number;
}

/** CT: HU' = scale * blur(HU) + offset + N(0, sigma²), clamped to [-1024, 3071], stored as (HU' - b) / m. */
export function scanCt(rng: SynthRng, hu: Float32Array, d: Dims, ct: CentreSignature['ct']): Scanned {
  const v = blurInPlane(Float32Array.from(hu), d.slices, d.rows, d.columns, ct.blurSigma);
  for (let i = 0; i < v.length; i++) {
    let x = ct.huScale * v[i] + ct.huOffset + ct.noiseSigma * rng.normalFast();
    if (x < -1024) x = -1024;
    else if (x > 3071) x = 3071;
    v[i] = x;
  }
  return quantise(v, ct.rescaleSlope, ct.rescaleIntercept);
}

/**
 * MR: magnitude of (gain * contrast * bias + complex Gaussian noise) plus offset (Rician noise),
 * after blur. The bias field is linear across the head along a random direction (receive-coil
 * sensitivity), 1 +- `bias` at 100 mm from the centre.
 */
export function scanMr(rng: SynthRng, contrast: Float32Array, d: Dims, px: number, z0: number, sliceSpacing: number, mr: CentreSignature['mr']): Scanned {
  const v = Float32Array.from(contrast);
  const th = rng.uniform(0, 2 * Math.PI);
  const ph = rng.uniform(-0.5, 0.5);
  const gx = (Math.cos(th) * Math.cos(ph) * mr.bias) / 100;
  const gy = (Math.sin(th) * Math.cos(ph) * mr.bias) / 100;
  const gz = (Math.sin(ph) * mr.bias) / 100;
  const plane = d.rows * d.columns;
  for (let k = 0; k < d.slices; k++) {
    const z = z0 + k * sliceSpacing;
    for (let r = 0; r < d.rows; r++) {
      const y = (r - (d.rows - 1) / 2) * px;
      const o = k * plane + r * d.columns;
      for (let c = 0; c < d.columns; c++) {
        const x = (c - (d.columns - 1) / 2) * px;
        v[o + c] *= mr.gain * (1 + gx * x + gy * y + gz * z);
      }
    }
  }
  blurInPlane(v, d.slices, d.rows, d.columns, mr.blurSigma);
  const sigma = mr.noiseFraction * mr.gain;
  for (let i = 0; i < v.length; i++) {
    const re = v[i] + sigma * rng.normalFast();
    const im = sigma * rng.normalFast();
    v[i] = Math.sqrt(re * re + im * im) + mr.offset;
  }
  return quantise(v, mr.sclSlope, 0);
}

function quantise(v: Float32Array, slope: number, intercept: number): Scanned {
  const stored = toStoredInt16(v, slope, intercept);
  const values = new Float32Array(stored.length);
  for (let i = 0; i < stored.length; i++) values[i] = stored[i] * slope + intercept;
  return { stored, values, slope, intercept };
}
