import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { clipPercentiles, scaleIntensity, zScore } from './intensity.js';

describe('intensity steps (paper 4.2.2)', () => {
  it('clips to the 1st and 99th percentile of the image', () => {
    // values 0..99: q1 at h = 0.99 -> 0.99, q99 at h = 98.01 -> 98.01.
    const img = image(10, 10, 1, Array.from({ length: 100 }, (_, i) => i));
    const out = clipPercentiles(img);
    expect(out.data[0]).toBeCloseTo(0.99, 5);
    expect(out.data[99]).toBeCloseTo(98.01, 4);
    expect(out.data[50]).toBe(50);
    expect(img.data[0]).toBe(0); // input untouched
  });

  it('z-scores with the population std, and maps a constant image to zeros', () => {
    const out = zScore(image(2, 2, 1, [1, 2, 3, 4]));
    const s = Math.sqrt(1.25);
    [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].forEach((e, i) => expect(out.data[i]).toBeCloseTo(e, 6));
    expect(Array.from(zScore(image(1, 3, 1, [7, 7, 7])).data)).toEqual([0, 0, 0]);
  });

  it('scales intensities by the jitter factor', () => {
    expect(Array.from(scaleIntensity(image(1, 3, 1, [-1, 0, 2]), 0.8).data)).toEqual([-0.8, 0, 1.6].map(Math.fround));
  });
});
