import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { boxesFromCam, connectedComponents } from './boxes.js';
import { camChannel, camFromFeatures, edmCamAndBoxes, upsampleCam } from './cam.js';
import { gaussianBlur, resizeBilinear } from './image.js';

describe('camFromFeatures (Eq. 1-3)', () => {
  it('computes A_c = Σ_k W_kc F_k and s_c as its spatial mean', () => {
    // 1×2 map, K = 2, C = 2
    const F = Float32Array.of(1, 2, 3, 4); // pixel0: (1,2), pixel1: (3,4)
    const W = Float32Array.of(1, -1, 0.5, 2); // W[k][c]
    const { cams, scores } = camFromFeatures(F, 1, 2, 2, W, 2);
    // pixel0: c0 = 1·1 + 2·0.5 = 2, c1 = −1 + 4 = 3; pixel1: c0 = 3 + 2 = 5, c1 = −3 + 8 = 5
    expect(Array.from(cams)).toEqual([2, 3, 5, 5]);
    expect(scores[0]).toBeCloseTo(3.5, 12);
    expect(scores[1]).toBeCloseTo(4, 12);
    expect(Array.from(camChannel(cams, 1, 2, 2, 1).data)).toEqual([3, 5]);
  });

  it('rejects mismatched shapes', () => {
    expect(() => camFromFeatures(new Float32Array(3), 1, 2, 2, new Float32Array(4), 2)).toThrow(/features has 3 values/);
    expect(() => camChannel(new Float32Array(4), 1, 2, 2, 2)).toThrow(/class 2 out of range/);
  });
});

describe('upsampleCam', () => {
  it('matches tf.image.resizeBilinear with half-pixel centres', () => {
    const w = 5;
    const h = 4;
    const data = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 1.3) * 3 + i * 0.1);
    const up = upsampleCam({ data, width: w, height: h }, 17, 13);
    const ref = tf.tidy(() => tf.image.resizeBilinear(tf.tensor4d(data, [1, h, w, 1]), [13, 17], false, true).dataSync());
    for (let i = 0; i < ref.length; i++) expect(up.data[i]).toBeCloseTo(ref[i], 5);
  });

  it('keeps a constant map constant and interpolates linearly inside', () => {
    const up = resizeBilinear({ data: Float32Array.of(0, 1), width: 2, height: 1 }, 4, 1);
    // centres at input x = −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1]);
    const c = resizeBilinear({ data: new Float32Array(6).fill(2), width: 3, height: 2 }, 7, 9);
    expect(c.data.every((v) => v === 2)).toBe(true);
  });
});

describe('gaussianBlur', () => {
  it('preserves the sum of an interior impulse and is symmetric', () => {
    const data = new Float32Array(21 * 21);
    data[10 * 21 + 10] = 1;
    const b = gaussianBlur({ data, width: 21, height: 21 }, 1.5).data;
    expect(b.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    expect(b[10 * 21 + 9]).toBeCloseTo(b[10 * 21 + 11], 7);
    expect(b[9 * 21 + 10]).toBeCloseTo(b[10 * 21 + 9], 7);
  });
});

describe('boxes from a CAM', () => {
  it('labels 8-connected components in raster order', () => {
    // diagonal pixels are one component with 8-connectivity, two with 4
    const m = Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0, 0);
    expect(connectedComponents(m, 3, 3, 8).count).toBe(1);
    expect(connectedComponents(m, 3, 3, 4).count).toBe(2);
  });

  it('boxes each component above the threshold, drops small ones, strongest first', () => {
    const W = 20;
    const H = 10;
    const cam = new Float32Array(W * H);
    for (let y = 1; y <= 3; y++) for (let x = 2; x <= 5; x++) cam[y * W + x] = 0.5; // 12 px, peak 0.5
    for (let y = 5; y <= 8; y++) for (let x = 10; x <= 14; x++) cam[y * W + x] = 1; // 20 px, peak 1
    cam[0 * W + 19] = 0.9; // single pixel: below min area
    cam[9 * W + 0] = 0.1; // below 0.2·max
    const boxes = boxesFromCam({ data: cam, width: W, height: H }, { minArea: 4 });
    expect(boxes.map((b) => b.box)).toEqual([
      [10, 5, 14, 8],
      [2, 1, 5, 3],
    ]);
    expect(boxes.map((b) => b.area)).toEqual([20, 12]);
    // a higher threshold keeps only the strong blob
    expect(boxesFromCam({ data: cam, width: W, height: H }, { fraction: 0.6, minArea: 4 }).length).toBe(1);
  });

  it('edmCamAndBoxes: one class of A_conv, upsampled ×4, boxed', () => {
    // 4×4 map, C = 2; class 1 is hot at map pixel (1, 2) only
    const cams = new Float32Array(4 * 4 * 2);
    cams[(2 * 4 + 1) * 2 + 1] = 1;
    cams[(0 * 4 + 0) * 2 + 0] = 5; // class 0 elsewhere: ignored
    const { cam, boxes } = edmCamAndBoxes(cams, 4, 4, 2, 1, 16, 16, { minArea: 1 });
    expect(cam.width).toBe(16);
    expect(boxes.length).toBe(1);
    // the bilinear bump around map pixel (1, 2) covers input x 2..9, y 6..13 above 0.2 of its peak
    const [x0, y0, x1, y1] = boxes[0].box;
    expect((x0 + x1) / 2).toBeCloseTo(5.5, 5);
    expect((y0 + y1) / 2).toBeCloseTo(9.5, 5);
  });

  it('returns no boxes for a map without positive evidence and rejects a bad fraction', () => {
    expect(boxesFromCam({ data: new Float32Array(4).fill(-1), width: 2, height: 2 })).toEqual([]);
    expect(() => boxesFromCam({ data: new Float32Array(4), width: 2, height: 2 }, { fraction: 0 })).toThrow(/fraction/);
  });
});
