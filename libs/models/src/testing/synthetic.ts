/**
 * Tiny synthetic tasks for learning tests (not the project's phantoms): a positive patient has a
 * bright square "lesion" on a run of consecutive slices, a negative one only noise; segmentation
 * images carry a bright disk (class 1) and a dimmer square (class 2) on noise.
 */
import type { PatientSlices, SegImage } from '../train/datasets.js';
import { randInt, rng } from '../train/random.js';

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

export function lesionPatients(n: number, seed: number, slices = 8, size = 32, lesion = 8): PatientSlices[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    const data = new Float32Array(slices * size * size);
    for (let k = 0; k < data.length; k++) data[k] = 0.5 * gauss(r);
    const sliceLabels: (0 | 1)[] = Array.from({ length: slices }, () => 0);
    if (label === 1) {
      const first = randInt(r, slices - 3);
      const y0 = 2 + randInt(r, size - lesion - 4);
      const x0 = 2 + randInt(r, size - lesion - 4);
      for (let s = first; s < first + 3; s++) {
        sliceLabels[s] = 1;
        for (let y = y0; y < y0 + lesion; y++) for (let x = x0; x < x0 + lesion; x++) data[(s * size + y) * size + x] += 2;
      }
    }
    return { id: `P${i}`, centre: i < n / 2 ? 'A' : 'B', label, data, slices, size, channels: 1, sliceLabels };
  });
}

export function shapeImages(n: number, seed: number, size = 32, thickness: 'thick' | 'thin' = 'thick', noise = 0.3): SegImage[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const data = new Float32Array(size * size);
    const mask = new Uint8Array(size * size);
    const cy = 8 + randInt(r, size - 16);
    const cx = 8 + randInt(r, size - 16);
    const rad = 4 + randInt(r, 3);
    const sy = randInt(r, size - 6);
    const sx = randInt(r, size - 6);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const k = y * size + x;
      if (y >= sy && y < sy + 6 && x >= sx && x < sx + 6) { mask[k] = 2; data[k] = -1; }
      if ((y - cy) ** 2 + (x - cx) ** 2 <= rad * rad) { mask[k] = 1; data[k] = 1; }
      data[k] += noise * gauss(r);
    }
    return { id: `I${i}`, centre: 'A', modality: 'CT', thickness, data, size, channels: 1, mask };
  });
}
