import { describe, expect, it } from 'vitest';
import type { Volume } from '../volume.js';
import { lungRoi, preprocessClassifyVolume, sliceImage, sliceMask } from './volume-slices.js';

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

describe('lung region of interest', () => {
  it('is the union of the per-slice lung boxes plus a margin, clipped to the slice', () => {
    // 2 slices of 20x20: body 40 HU (rows/cols 2..17) in air; slice 0 lung at rows 5..9 cols 4..8,
    // slice 1 lung at rows 8..13 cols 10..15 -> union rows 5..13, cols 4..15 (9 x 12); margin 0.25 -> 2 and 3 px.
    const v = vol(2, 20, 20, () => -1000);
    const set = (s: number, r0: number, r1: number, c0: number, c1: number, hu: number): void => {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) v.data[s * 400 + r * 20 + c] = hu;
    };
    for (const s of [0, 1]) set(s, 2, 17, 2, 17, 40);
    set(0, 5, 9, 4, 8, -850);
    set(1, 8, 13, 10, 15, -850);
    expect(lungRoi(v, 0.25)).toEqual({ top: 3, left: 1, height: 13, width: 18 });
    expect(lungRoi(v, 0)).toEqual({ top: 5, left: 4, height: 9, width: 12 });
  });

  it('falls back to the whole slice when no lungs are found, and the pipeline cuts the ROI first', () => {
    const v = vol(1, 6, 8, () => 40);
    expect(lungRoi(v)).toEqual({ top: 0, left: 0, height: 6, width: 8 });
    const ramp = vol(1, 4, 4, (i) => -1350 + 300 * (i % 4));
    const out = preprocessClassifyVolume(ramp, null, { size: 2, roi: { top: 0, left: 2, height: 2, width: 2 } });
    // columns 2, 3 -> 600/1500, 900/1500, resized 2x2 -> 2x2 unchanged.
    expect(Array.from(out).map((x) => Math.round(x * 1500))).toEqual([600, 900, 600, 900]);
  });
});
