import { describe, expect, it } from 'vitest';
import { connectedComponents } from './boxes.js';
import { enforceConnectivity, slic } from './slic.js';
import { Rng } from './rng.js';

function phantom(size: number, seed: number): Float32Array {
  // a bright disc on a darker, noisy background (a lesion-like blob)
  const rng = new Rng(seed);
  const img = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const inDisc = (x - size * 0.6) ** 2 + (y - size * 0.4) ** 2 < (size * 0.18) ** 2;
      img[y * size + x] = (inDisc ? 200 : -700) + 5 * rng.normal();
    }
  return img;
}

function eachLabelConnected(labels: Int32Array, count: number, w: number, h: number): boolean {
  for (let l = 0; l < count; l++) {
    const m = Uint8Array.from(labels, (v) => (v === l ? 1 : 0));
    if (connectedComponents(m, w, h, 4).count !== 1) return false;
  }
  return true;
}

/** skimage 0.19.3: slic(img, n_segments=12, compactness=0.1, channel_axis=None, start_label=0, sigma=0). */
const SKIMAGE_LABELS = [0,1,1,1,1,1,1,0,0,2,2,2,2,2,2,3,3,3,3,3,0,1,1,1,1,1,1,0,0,2,2,2,2,2,2,3,3,3,3,3,0,1,1,1,1,1,0,0,2,2,2,2,2,2,2,3,3,3,3,3,0,1,1,1,1,1,0,0,2,2,2,4,4,4,4,5,3,3,3,3,0,0,1,1,1,0,0,0,2,6,4,4,4,4,4,5,5,3,3,3,0,0,0,1,0,0,0,2,2,6,4,4,4,4,4,5,5,3,3,3,7,0,0,0,0,0,0,2,6,6,4,4,4,4,4,5,5,3,3,3,7,0,0,0,0,0,0,8,6,6,4,4,4,4,4,5,5,3,3,3,7,7,0,0,0,0,0,8,6,6,4,4,4,4,4,5,5,9,9,3,7,7,0,0,0,0,0,8,6,6,6,4,4,4,5,5,9,9,9,9,7,7,0,0,0,0,0,8,6,6,6,6,6,8,8,8,9,9,9,9,7,7,0,10,10,10,0,8,8,6,6,6,8,8,8,8,9,9,11,9,7,7,10,10,10,10,0,0,8,8,6,6,8,8,8,9,9,11,11,11,7,7,10,10,10,10,10,0,8,8,8,8,8,8,8,9,11,11,11,11,7,10,10,10,10,10,10,0,8,8,8,8,8,8,8,9,11,11,11,11,7,10,10,10,10,10,10,10,8,8,8,8,8,8,8,9,11,11,11,11];

describe('slic', () => {
  it('reproduces skimage.segmentation.slic label for label', () => {
    const w = 20;
    const h = 16;
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) data[y * w + x] = Math.sin(x * 0.45) * 50 + Math.cos(y * 0.3 + x * 0.1) * 30 + ((x - 13) ** 2 + (y - 6) ** 2 < 16 ? 80 : 0);
    const sp = slic({ data, width: w, height: h }, { nSegments: 12, compactness: 0.1 });
    expect(sp.count).toBe(12);
    expect(Array.from(sp.labels)).toEqual(SKIMAGE_LABELS);
  });

  it('gives about nSegments connected superpixels, deterministically', () => {
    const img = { data: phantom(64, 1), width: 64, height: 64 };
    const a = slic(img, { nSegments: 50 });
    const b = slic(img, { nSegments: 50 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.count).toBeGreaterThanOrEqual(30);
    expect(a.count).toBeLessThanOrEqual(70);
    expect(Math.min(...a.labels)).toBe(0);
    expect(Math.max(...a.labels)).toBe(a.count - 1);
    expect(eachLabelConnected(a.labels, a.count, 64, 64)).toBe(true);
  });

  it('measures intensity on the image’s own scale (affine intensity changes do not matter)', () => {
    const data = phantom(48, 2);
    const a = slic({ data, width: 48, height: 48 });
    const b = slic({ data: data.map((v) => v * 0.001 + 3), width: 48, height: 48 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
  });

  it('follows a strong intensity edge: no superpixel straddles the disc border', () => {
    const size = 64;
    const data = phantom(size, 3);
    const sp = slic({ data, width: size, height: size }, { nSegments: 60 });
    let mixed = 0;
    for (let l = 0; l < sp.count; l++) {
      let inside = 0;
      let total = 0;
      for (let p = 0; p < data.length; p++)
        if (sp.labels[p] === l) {
          total++;
          if (data[p] > -250) inside++;
        }
      if (inside > 0.1 * total && inside < 0.9 * total) mixed++;
    }
    expect(mixed).toBe(0);
  });

  it('splits the plane into a regular grid for a constant image (compactness dominates)', () => {
    const sp = slic({ data: new Float32Array(40 * 40), width: 40, height: 40 }, { nSegments: 16 });
    // step = sqrt(1600/16) = 10, centres at 5, 15, 25, 35: Voronoi cells, ties going to the
    // earlier centre, so the columns (and rows) are 11, 10, 10, 9 pixels wide
    expect(sp.count).toBe(16);
    const sizes = new Array(sp.count).fill(0);
    for (const l of sp.labels) sizes[l]++;
    const sides = [11, 10, 10, 9];
    const expected = sides.flatMap((a) => sides.map((b) => a * b)).sort((a, b) => a - b);
    expect(sizes.sort((a, b) => a - b)).toEqual(expected);
    expect(sp.labels[10]).toBe(sp.labels[0]);
    expect(sp.labels[11]).not.toBe(sp.labels[0]);
  });

  it('enforceConnectivity merges small pieces into the adjacent segment and splits disconnected labels', () => {
    // label 0 in two separate places, label 1 a 1-pixel island inside label 2
    const w = 5;
    const seg = Int32Array.from([
      0, 0, 2, 2, 2,
      0, 0, 2, 1, 2,
      2, 2, 2, 2, 2,
      0, 0, 2, 2, 2,
    ]);
    const out = enforceConnectivity(seg, w, 4, 2, 100);
    expect(out.count).toBe(3); // the island joined label 2; label 0's halves are separate segments
    expect(out.labels[1 * w + 3]).toBe(out.labels[0 * w + 2]);
    expect(out.labels[0]).not.toBe(out.labels[3 * w]);
  });

  it('rejects bad input', () => {
    expect(() => slic({ data: new Float32Array(3), width: 2, height: 2 })).toThrow(/3 pixels, expected 2×2/);
    expect(() => slic({ data: Float32Array.of(0, NaN, 0, 0), width: 2, height: 2 })).toThrow(/pixel 1 is not finite/);
  });
});
