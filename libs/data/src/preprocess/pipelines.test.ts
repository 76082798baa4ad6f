import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { createRng } from './rng.js';
import {
  preprocessClassifySlice,
  preprocessSegmentSlice,
  sampleClassifyAugmentation,
  sampleSegmentAugmentation,
} from './pipelines.js';

/** 8x8 slice whose HU rise with the column: -1350 + 200 c (so the lung window gives 2c/15). */
function ramp(): ReturnType<typeof image> {
  return image(8, 8, 1, Array.from({ length: 64 }, (_, i) => -1350 + 200 * (i % 8)));
}

describe('classification preprocessing (paper 4.1.2)', () => {
  it('evaluation path: window then resize, no crop, no flip', () => {
    const out = preprocessClassifySlice(ramp(), null, { size: 8 });
    for (let c = 0; c < 8; c++) expect(out.data[3 * 8 + c]).toBeCloseTo(Math.min(1, (200 * c) / 1500), 6);
  });

  it('training path applies the sampled crop and flip, deterministically for a seed', () => {
    const a = sampleClassifyAugmentation(createRng(5), 8, 8);
    const b = sampleClassifyAugmentation(createRng(5), 8, 8);
    expect(a).toEqual(b);
    const flipped = preprocessClassifySlice(ramp(), { box: { top: 0, left: 0, height: 8, width: 8 }, flip: true }, { size: 8 });
    for (let c = 0; c < 8; c++) expect(flipped.data[c]).toBeCloseTo(Math.min(1, (200 * (7 - c)) / 1500), 6);
    const cropped = preprocessClassifySlice(ramp(), { box: { top: 0, left: 2, height: 4, width: 4 }, flip: false }, { size: 4 });
    expect(cropped.data[0]).toBeCloseTo(400 / 1500, 6);
  });

  it('flips about half the volumes over many seeds', () => {
    const rng = createRng(99);
    let flips = 0;
    for (let i = 0; i < 2000; i++) if (sampleClassifyAugmentation(rng, 64, 64).flip) flips++;
    expect(flips / 2000).toBeGreaterThan(0.46);
    expect(flips / 2000).toBeLessThan(0.54);
  });
});

describe('segmentation preprocessing (paper 4.2.2)', () => {
  it('clip -> z-score -> (identity) resize -> flip -> jitter, by hand on 2x2', () => {
    // sorted [0, 1, 2, 100]: q1 = 0 + 0.03 * 1 = 0.03; q99 = 2 + 0.97 * 98 = 97.06.
    const clipped = [0.03, 1, 2, 97.06];
    const mean = clipped.reduce((a, b) => a + b) / 4;
    const std = Math.sqrt(clipped.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    const z = clipped.map((v) => (v - mean) / std);
    const mask = { data: Uint8Array.from([1, 0, 2, 3]), rows: 2, columns: 2 };
    const { image: out, mask: m } = preprocessSegmentSlice(image(2, 2, 1, [0, 1, 2, 100]), mask, { flip: true, jitter: 1.1 }, { size: 2 });
    [z[1], z[0], z[3], z[2]].forEach((e, i) => expect(out.data[i]).toBeCloseTo(1.1 * e, 5));
    expect(Array.from(m!.data)).toEqual([0, 1, 3, 2]);
  });

  it('resizes image bicubically and mask by nearest onto the same grid', () => {
    const img = image(4, 4, 1, Array.from({ length: 16 }, (_, i) => i));
    const mask = { data: Uint8Array.from(Array.from({ length: 16 }, (_, i) => (i % 4 < 2 ? 1 : 2))), rows: 4, columns: 4 };
    const { image: out, mask: m } = preprocessSegmentSlice(img, mask, null, { size: 8 });
    expect(out).toMatchObject({ rows: 8, columns: 8 });
    expect(Array.from(m!.data.subarray(0, 8))).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(() => preprocessSegmentSlice(img, { ...mask, rows: 2, columns: 8 }, null)).toThrow(/grid/);
  });

  it('draws jitter in [0.8, 1.2] and is reproducible per seed', () => {
    const rng = createRng(4);
    for (let i = 0; i < 1000; i++) {
      const a = sampleSegmentAugmentation(rng);
      expect(a.jitter >= 0.8 && a.jitter < 1.2).toBe(true);
    }
    expect(sampleSegmentAugmentation(createRng(4))).toEqual(sampleSegmentAugmentation(createRng(4)));
  });
});
