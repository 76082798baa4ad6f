import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { lungMask, maskBoundingBox } from './lung-mask.js';

/**
 * 20x20 phantom: air -1000 HU outside; body (rows/cols 2..17) 40 HU; two lungs -850 HU at rows
 * 5..13, cols 4..8 and 11..15; a vessel (60 HU) inside the left lung at (9, 6); a 2x2 gas pocket at
 * rows 15..16, cols 12..13 (third component, must be dropped) and a 1-pixel bubble at (16, 9).
 */
function phantom(): ReturnType<typeof image> {
  const img = image(20, 20);
  img.data.fill(-1000);
  const set = (r0: number, r1: number, c0: number, c1: number, v: number): void => {
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) img.data[r * 20 + c] = v;
  };
  set(2, 17, 2, 17, 40);
  set(5, 13, 4, 8, -850);
  set(5, 13, 11, 15, -850);
  set(9, 9, 6, 6, 60);
  set(15, 16, 12, 13, -900);
  set(16, 16, 9, 9, -1000);
  return img;
}

describe('classical lung mask', () => {
  it('keeps exactly the two lungs, holes filled, outside air and small gas dropped', () => {
    const m = lungMask(phantom());
    const expected = new Uint8Array(400);
    for (let r = 5; r <= 13; r++) for (const [c0, c1] of [[4, 8], [11, 15]]) for (let c = c0; c <= c1; c++) expected[r * 20 + c] = 1;
    expect(Array.from(m.data)).toEqual(Array.from(expected));
    expect(maskBoundingBox(m)).toEqual({ top: 5, left: 4, height: 9, width: 12 });
  });

  it('with maxComponents 3 and no area floor the gas pocket is kept too', () => {
    const m = lungMask(phantom(), { maxComponents: 3, minAreaFraction: 0 });
    expect(m.data.reduce((a, b) => a + b, 0)).toBe(90 + 4);
  });

  it('returns an empty mask (and no box) for a slice without lungs', () => {
    const img = image(8, 8);
    img.data.fill(40);
    const m = lungMask(img);
    expect(m.data.every((v) => v === 0)).toBe(true);
    expect(maskBoundingBox(m)).toBeNull();
    expect(() => lungMask(image(2, 2, 3))).toThrow(/single-channel/);
  });
});
