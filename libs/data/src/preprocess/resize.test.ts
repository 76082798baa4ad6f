import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { cubicKernel, resizeBicubic, resizeBilinear, resizeNearestMask } from './resize.js';

const close = (actual: Float32Array, expected: number[], digits = 5): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
};

describe('bilinear resize (half-pixel centres, as F.interpolate align_corners=False)', () => {
  it('upsamples 2x2 -> 4x4 to the hand-computed grid', () => {
    // source coords per output index: max(0, (d + 0.5)/2 - 0.5) = 0, 0.25, 0.75, 1.25 (clamped tap).
    const out = resizeBilinear(image(2, 2, 1, [0, 10, 20, 30]), 4, 4);
    close(out.data, [0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30]);
  });

  it('downsamples 1x4 -> 1x2 by averaging neighbour pairs', () => {
    close(resizeBilinear(image(1, 4, 1, [0, 10, 20, 30]), 1, 2).data, [5, 25]);
  });

  it('keeps channels separate', () => {
    const out = resizeBilinear(image(1, 2, 2, [0, 100, 10, 200]), 1, 4);
    close(out.data, [0, 100, 2.5, 125, 7.5, 175, 10, 200]);
  });
});

describe('bicubic resize (Keys cubic convolution)', () => {
  it('kernel weights at t = 0.25 for a = -0.5, by hand', () => {
    // |x|<=1: 1.5|x|^3 - 2.5|x|^2 + 1;  1<|x|<2: -0.5|x|^3 + 2.5|x|^2 - 4|x| + 2.
    expect(cubicKernel(1.25, -0.5)).toBeCloseTo(-0.0703125, 12);
    expect(cubicKernel(0.25, -0.5)).toBeCloseTo(0.8671875, 12);
    expect(cubicKernel(0.75, -0.5)).toBeCloseTo(0.2265625, 12);
    expect(cubicKernel(1.75, -0.5)).toBeCloseTo(-0.0234375, 12);
    expect(cubicKernel(0, -0.5)).toBe(1);
    expect(cubicKernel(1, -0.5)).toBe(0);
    expect(cubicKernel(2, -0.5)).toBe(0);
  });

  it('upsamples an impulse 1x4 -> 1x8 to the hand-computed values (a = -0.5)', () => {
    // s = (d + 0.5)/2 - 0.5 = -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25; input [0, 0, 10, 0];
    // d=1: taps 0,0,1,2 at t=0.25 -> 10 * W(1.75) = -0.234375; d=3: taps 0..3 at t=0.25 -> 10 * W(0.75) = 2.265625; d=7: taps 2,3,3,3 -> 10 * W(1.25) = -0.703125.
    const out = resizeBicubic(image(1, 4, 1, [0, 0, 10, 0]), 1, 8);
    close(out.data, [0, -0.234375, -0.703125, 2.265625, 8.671875, 8.671875, 2.265625, -0.703125]);
  });

  it('with a = -0.75 reproduces PyTorch/OpenCV weights', () => {
    // W(0.75) = 1.25*0.421875 - 2.25*0.5625 + 1 = 0.26171875.
    const out = resizeBicubic(image(1, 4, 1, [0, 0, 10, 0]), 1, 8, { a: -0.75 });
    expect(out.data[3]).toBeCloseTo(2.6171875, 5);
  });

  it('is the identity at scale 1 and separable in 2-D', () => {
    const img = image(3, 3, 1, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    close(resizeBicubic(img, 3, 3).data, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // outer product u v^T resizes to resize(u) resize(v)^T.
    const u = [1, 3, -2];
    const v = [0, 5, 1, 2];
    const outer = image(3, 4, 1, u.flatMap((a) => v.map((b) => a * b)));
    const ru = resizeBicubic(image(3, 1, 1, u), 5, 1).data;
    const rv = resizeBicubic(image(1, 4, 1, v), 1, 7).data;
    const out = resizeBicubic(outer, 5, 7);
    for (let r = 0; r < 5; r++) for (let c = 0; c < 7; c++) expect(out.data[r * 7 + c]).toBeCloseTo(ru[r] * rv[c], 4);
  });

  it('rejects a non-integer target', () => {
    expect(() => resizeBicubic(image(2, 2), 0, 2)).toThrow(/positive integers/);
  });
});

describe('antialiased resize (Pillow / F.interpolate antialias=True)', () => {
  it('bilinear 1x4 -> 1x2 stretches the triangle to support 2, by hand', () => {
    // d=0: centre 1, taps 0..2, weights tri(-0.25), tri(0.25), tri(0.75) = .75, .75, .25 (sum 1.75) -> 50/7.
    // d=1: centre 3, taps 1..3, weights .25, .75, .75 -> (2.5 + 15 + 22.5) / 1.75 = 160/7.
    close(resizeBilinear(image(1, 4, 1, [0, 10, 20, 30]), 1, 2, { antialias: true }).data, [50 / 7, 160 / 7]);
  });

  it('equals the plain half-pixel bilinear when enlarging', () => {
    const img = image(2, 2, 1, [0, 10, 20, 30]);
    close(resizeBilinear(img, 4, 4, { antialias: true }).data, Array.from(resizeBilinear(img, 4, 4).data));
  });

  it('bicubic renormalises border weights instead of clamping (Pillow)', () => {
    // d=0 of 4 -> 8: centre 0.25, taps 0..1 with W(0.25) = 0.8671875, W(1.25) = -0.0703125 (sum 0.796875).
    const out = resizeBicubic(image(1, 4, 1, [10, 20, 0, 0]), 1, 8, { antialias: true });
    expect(out.data[0]).toBeCloseTo((10 * 0.8671875 - 20 * 0.0703125) / 0.796875, 5);
    // a constant image stays constant whatever the scale.
    const flat = resizeBicubic(image(5, 7, 1, new Array(35).fill(3)), 2, 3, { antialias: true });
    flat.data.forEach((v) => expect(v).toBeCloseTo(3, 5));
  });
});

describe('nearest resize for masks', () => {
  it('picks the half-pixel-centre source index and never invents labels', () => {
    const up = resizeNearestMask({ data: Uint8Array.from([1, 2, 3]), rows: 1, columns: 3 }, 1, 6);
    expect(Array.from(up.data)).toEqual([1, 1, 2, 2, 3, 3]);
    const down = resizeNearestMask({ data: Uint8Array.from([1, 2, 3, 4]), rows: 1, columns: 4 }, 1, 2);
    expect(Array.from(down.data)).toEqual([2, 4]);
    const m = resizeNearestMask({ data: Uint8Array.from([0, 4, 3, 0]), rows: 2, columns: 2 }, 5, 3);
    expect(new Set(m.data)).toEqual(new Set([0, 3, 4]));
  });
});
