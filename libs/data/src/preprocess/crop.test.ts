import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { centreFallback, crop, cropMask, roundHalfEven, sampleCropBox } from './crop.js';
import { createRng, type Rng } from './rng.js';

/** An Rng that replays fixed uniforms, so the crop sampler's arithmetic can be checked by hand. */
function replay(values: number[]): Rng {
  let i = 0;
  const r: Rng = {
    next: () => {
      if (i >= values.length) throw new Error('replay exhausted');
      return values[i++];
    },
    uniform: (lo, hi) => lo + (hi - lo) * r.next(),
    int: (lo, hi) => lo + Math.floor(r.next() * (hi - lo)),
    bernoulli: (p) => r.next() < p,
    fork: () => r,
  };
  return r;
}

describe('random resized crop (torchvision semantics)', () => {
  it('rounds half to even like Python', () => {
    expect([0.5, 1.5, 2.5, 3.4, 3.6, -0.5].map((x) => roundHalfEven(x) + 0)).toEqual([0, 2, 2, 3, 4, 0]);
  });

  it('rejects a box that does not fit and accepts the next, placed uniformly', () => {
    // try 1: area 0.95 * 10000, log-aspect at 0.9 of [ln 3/4, ln 4/3] -> aspect 1.2588 -> w = round(109.35) > 100: rejected.
    // try 2: area 9000, aspect 1 -> w = h = round(94.87) = 95; top = floor(0.5 * 6) = 3, left = floor(0.99 * 6) = 5.
    const box = sampleCropBox(replay([0.5, 0.9, 0, 0.5, 0.5, 0.99]), 100, 100);
    expect(box).toEqual({ top: 3, left: 5, height: 95, width: 95 });
  });

  it('falls back to the whole (square) image after 10 rejected tries', () => {
    const tries = Array.from({ length: 10 }, () => [0.5, 0.99]).flat();
    expect(sampleCropBox(replay(tries), 100, 100)).toEqual({ top: 0, left: 0, height: 100, width: 100 });
  });

  it('fallback narrows an image whose aspect is out of range to the nearest allowed ratio, centred', () => {
    expect(centreFallback(100, 200, 3 / 4, 4 / 3)).toEqual({ top: 0, left: 33, height: 100, width: 133 });
    expect(centreFallback(200, 100, 3 / 4, 4 / 3)).toEqual({ top: 33, left: 0, height: 133, width: 100 });
  });

  it('sampled boxes always fit and respect area and aspect up to pixel rounding', () => {
    const rng = createRng(11);
    for (let k = 0; k < 500; k++) {
      const b = sampleCropBox(rng, 96, 128);
      expect(b.top >= 0 && b.left >= 0 && b.top + b.height <= 96 && b.left + b.width <= 128).toBe(true);
      const area = (b.height * b.width) / (96 * 128);
      expect(area).toBeGreaterThan(0.88);
      expect(area).toBeLessThanOrEqual(1);
      expect(b.width / b.height).toBeGreaterThan(0.74);
      expect(b.width / b.height).toBeLessThan(1.35);
    }
  });

  it('crop copies the box', () => {
    const out = crop(image(3, 4, 1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), { top: 1, left: 1, height: 2, width: 2 });
    expect(out).toMatchObject({ rows: 2, columns: 2, channels: 1 });
    expect(Array.from(out.data)).toEqual([5, 6, 9, 10]);
    expect(() => crop(image(3, 4), { top: 2, left: 0, height: 2, width: 1 })).toThrow(/outside/);
  });

  it('cropMask cuts the same box from a mask, and refuses a box outside it', () => {
    const m = { data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), rows: 3, columns: 4 };
    expect(cropMask(m, { top: 1, left: 1, height: 2, width: 2 })).toEqual({ data: Uint8Array.from([5, 6, 9, 10]), rows: 2, columns: 2 });
    expect(() => cropMask(m, { top: 0, left: 3, height: 1, width: 2 })).toThrow(/outside a 3x4 image/);
  });
});
