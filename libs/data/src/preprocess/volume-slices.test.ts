import { describe, expect, it } from 'vitest';
import type { Volume } from '../volume.js';
import { preprocessClassifyVolume, sliceImage, sliceMask } from './volume-slices.js';

function vol(slices: number, rows: number, columns: number, f: (i: number) => number): Volume {
  return {
    data: Float32Array.from({ length: slices * rows * columns }, (_, i) => f(i)),
    slices, rows, columns, channels: 1, spacing: [1, 1, 1], sliceThickness: 1, modality: 'CT', affine: null,
    source: { format: 'nifti', files: [] },
  };
}

describe('volume slices', () => {
  it('views slice s without copying', () => {
    const v = vol(3, 2, 2, (i) => i);
    const s1 = sliceImage(v, 1);
    expect(Array.from(s1.data)).toEqual([4, 5, 6, 7]);
    expect(s1.data.buffer).toBe(v.data.buffer);
    expect(() => sliceImage(v, 3)).toThrow(/outside/);
  });

  it('converts label slices to masks and refuses non-labels', () => {
    expect(Array.from(sliceMask(vol(1, 1, 3, (i) => i * 2), 0).data)).toEqual([0, 2, 4]);
    expect(() => sliceMask(vol(1, 1, 2, () => 0.5), 0)).toThrow(/not a label/);
  });

  it('preprocesses a CT volume slice by slice with one shared flip', () => {
    // slice s, column c: HU = -1350 + 300 c + s  -> window (300 c + s) / 1500.
    const v = vol(2, 4, 4, (i) => -1350 + 300 * (i % 4) + Math.floor(i / 16));
    const out = preprocessClassifyVolume(v, { box: { top: 0, left: 0, height: 4, width: 4 }, flip: true }, { size: 4 });
    expect(out.length).toBe(32);
    expect(out[0]).toBeCloseTo(900 / 1500, 6); // slice 0, column 0 after flip = column 3
    expect(out[16 + 3]).toBeCloseTo(1 / 1500, 6); // slice 1, column 3 after flip = column 0
  });
});
