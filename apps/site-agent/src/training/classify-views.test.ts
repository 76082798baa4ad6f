import { describe, expect, it } from 'vitest';
import { preprocessClassifyVolume, type Volume } from '@unbox/data';
import { viewRng, type PatientSlices } from '@unbox/models';
import { augmentedWindow, cacheScan, cacheSide, renderSlices, squareLungRoi, trainingView, viewAugmentation, wholeView } from './classify-views.js';

/** A CT volume in HU: a bright left-side blob (so flips show) on a ramp, per slice a different offset. */
function ct(slices: number, rows: number, columns: number): Volume {
  const data = new Float32Array(slices * rows * columns);
  for (let s = 0; s < slices; s++) for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) {
    data[(s * rows + r) * columns + c] = -1000 + 8 * c + 3 * r + 20 * s + (c < columns / 4 && r > rows / 3 && r < (2 * rows) / 3 ? 900 : 0);
  }
  return { data, slices, rows, columns, channels: 1, spacing: [1, 1, 5], sliceThickness: 5, modality: 'CT', affine: null, source: { format: 'nifti', files: ['mem.nii'] } };
}

const patient = (id: string, slices: number, size: number, channels = 1): PatientSlices => ({ id, label: 1, data: new Float32Array(slices * size * size * channels), slices, size, channels });

describe('cacheScan and wholeView (the evaluation view)', () => {
  it('equal the evaluation pipeline exactly when the scan fits the cache (window, whole slice, bilinear resize, no flip)', () => {
    const v = ct(3, 40, 36);
    const cached = cacheScan(v, cacheSide(20)); // 40 px: the scan fits
    expect([cached.rows, cached.columns]).toEqual([40, 36]);
    const mine = wholeView([cached], 16, 1);
    const reference = preprocessClassifyVolume(v, null, { size: 16 });
    expect(mine.length).toBe(reference.length);
    let d = 0;
    for (let i = 0; i < mine.length; i++) d = Math.max(d, Math.abs(mine[i] - reference[i]));
    expect(d).toBeLessThan(1e-6);
    for (const x of cached.data) expect(x >= 0 && x <= 1).toBe(true); // lung window maps HU to [0, 1]
  });

  it('shrinks large scans to the cache side once, keeping the aspect ratio', () => {
    const c = cacheScan(ct(2, 100, 80), 50);
    expect([c.slices, c.rows, c.columns]).toEqual([2, 50, 40]);
    expect(c.data.length).toBe(2 * 50 * 40);
  });

  it('replicates grey into the model channels and refuses multi-channel images', () => {
    const c = cacheScan(ct(1, 8, 8), 16);
    const one = renderSlices(c, 0, 1, null, 4, 1);
    const three = renderSlices(c, 0, 1, null, 4, 3);
    expect(Array.from(three.filter((_, i) => i % 3 === 0))).toEqual(Array.from(one));
    expect(() => cacheScan({ ...ct(1, 4, 4), channels: 3, data: new Float32Array(48) }, 8)).toThrow(/mem\.nii: 3-channel image/);
  });
});

describe('squareLungRoi (paper 4.1.2: the CT cut to the lungs first)', () => {
  /** 40×40 slices: air, a body (40 HU) at rows/cols 4..35, lungs (-850 HU) at rows r0..r1, cols c0..c1. */
  function chest(r0: number, r1: number, c0: number, c1: number): Volume {
    const v = ct(1, 40, 40);
    v.data.fill(-1000);
    for (let r = 4; r <= 35; r++) for (let c = 4; c <= 35; c++) v.data[r * 40 + c] = r >= r0 && r <= r1 && c >= c0 && c <= c1 ? -850 : 40;
    return v;
  }

  it('widens the lung box (5 % margin) to a square on its longer side, centred on it', () => {
    // lungs rows 15..24 (10 px), cols 8..31 (24 px); 5 % margins round to 1 px: box rows 14..25, cols 7..32 (12 × 26);
    // square side 26 centred on row 20 -> top 7
    const roi = squareLungRoi(chest(15, 24, 8, 31));
    expect(roi).toEqual({ top: 7, left: 7, height: 26, width: 26 });
  });

  it('stays inside the slice and falls back to the largest centred square without lungs', () => {
    const roi = squareLungRoi(chest(5, 8, 6, 34)); // lungs at the top: the square is pushed down into the slice
    expect(roi.top).toBe(0);
    expect(roi.height).toBe(roi.width);
    expect(roi.top + roi.height).toBeLessThanOrEqual(40);
    const none = { ...ct(1, 30, 40) };
    none.data.fill(40);
    expect(squareLungRoi(none)).toEqual({ top: 0, left: 5, height: 30, width: 30 });
  });

  it('the cached ROI view equals the evaluation pipeline with that ROI', () => {
    const v = chest(15, 24, 8, 31);
    const roi = squareLungRoi(v);
    const mine = wholeView([cacheScan(v, 64, roi)], 16, 1);
    const reference = preprocessClassifyVolume(v, null, { size: 16, roi });
    let d = 0;
    for (let i = 0; i < mine.length; i++) d = Math.max(d, Math.abs(mine[i] - reference[i]));
    expect(mine.length).toBe(reference.length);
    expect(d).toBeLessThan(1e-6);
  });
});

describe('augmentedWindow (the per-batch training view)', () => {
  const scans = [cacheScan(ct(4, 32, 32), 32), cacheScan(ct(3, 24, 30), 32)];
  const p = patient('P1', 7, 16);

  it('is a function of the generator: the same step reproduces it, other steps draw other crops and flips', () => {
    const w = { patient: p, start: 0, count: 7 };
    const a = augmentedWindow(scans, w, viewRng(1, 5));
    expect(augmentedWindow(scans, w, viewRng(1, 5))).toEqual(a);
    const others = Array.from({ length: 8 }, (_, step) => augmentedWindow(scans, w, viewRng(1, step)));
    expect(new Set(others.map((o) => o.join(','))).size).toBe(8);
    expect(a).not.toEqual(wholeView(scans, 16, 1));
    for (const x of a) expect(x >= 0 && x <= 1).toBe(true);
  });

  it('covers exactly the window, across the scan boundary, with one crop and flip per scan', () => {
    const w = { patient: p, start: 2, count: 4 }; // slices 2, 3 of scan 0 and 0, 1 of scan 1
    const out = augmentedWindow(scans, w, viewRng(2, 0));
    expect(out.length).toBe(4 * 256);
    // a flip of scan 0 shows in both of its slices alike: the bright blob sits on the same side
    const leftHeavy = (k: number) => {
      let l = 0;
      let r = 0;
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) (x < 8 ? (l += out[k * 256 + y * 16 + x]) : (r += out[k * 256 + y * 16 + x]));
      return l > r;
    };
    expect(leftHeavy(0)).toBe(leftHeavy(1));
    expect(leftHeavy(2)).toBe(leftHeavy(3));
    expect(() => augmentedWindow(scans, { patient: p, start: 5, count: 4 }, viewRng(2, 0))).toThrow(/patient P1: window 5\+4 outside its 7 cached slices/);
  });

  it('flips about half the draws and crops 90–100 % of the area (paper 4.1.2)', () => {
    const one = [cacheScan(ct(1, 32, 32), 32)];
    const q = patient('Q', 1, 32);
    const whole = wholeView(one, 32, 1);
    let flips = 0;
    for (let step = 0; step < 200; step++) {
      const out = augmentedWindow(one, { patient: q, start: 0, count: 1 }, viewRng(3, step));
      // column means: the ramp rises left to right unless flipped
      const col = (x: number) => { let s = 0; for (let y = 0; y < 32; y++) s += out[y * 32 + x]; return s; };
      if (col(31) < col(0)) flips++;
      // a 90–100 % crop resized back changes pixels, but only a little: mean within 10 % of the whole view's
      const mean = out.reduce((a, b) => a + b, 0) / out.length;
      const wholeMean = whole.reduce((a, b) => a + b, 0) / whole.length;
      expect(Math.abs(mean - wholeMean)).toBeLessThan(0.1 * wholeMean);
    }
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
  });

  it('with scanner jitter: the same crops and flips, intensities shifted and noisy, reproducible (config cropScale, scannerJitter)', () => {
    const w = { patient: p, start: 0, count: 7 };
    const paper = viewAugmentation({ cropScale: [0.9, 1], scannerJitter: false });
    expect(augmentedWindow(scans, w, viewRng(1, 5), paper)).toEqual(augmentedWindow(scans, w, viewRng(1, 5)));
    const jit = viewAugmentation({ cropScale: [0.9, 1], scannerJitter: true });
    const a = augmentedWindow(scans, w, viewRng(1, 5), jit);
    expect(augmentedWindow(scans, w, viewRng(1, 5), jit)).toEqual(a);
    const plain = augmentedWindow(scans, w, viewRng(1, 5));
    const diff = a.map((x, i) => x - plain[i]);
    const mean = diff.reduce((x, y) => x + y, 0) / diff.length;
    const sd = Math.sqrt(diff.reduce((x, y) => x + (y - mean) ** 2, 0) / diff.length);
    expect(sd).toBeGreaterThan(0); // noise (or a scale change) was added
    expect(Math.abs(mean)).toBeLessThan(0.1); // within ±50 HU and ±8 % of a [0, 1] lung window
    for (const x of a) expect(x >= 0 && x <= 1).toBe(true);
  });

  it('a lower cropScale zooms in: the crop keeps down to that fraction of the area', () => {
    const one = [cacheScan(ct(1, 32, 32), 32)];
    const q = patient('Q', 1, 32);
    const zoom = viewAugmentation({ cropScale: [0.5, 0.5], scannerJitter: false });
    const whole = wholeView(one, 32, 1);
    // the ramp's left-to-right span shrinks by ~√0.5 when only half the area is kept
    const span = (img: Float32Array) => Math.abs(img[16 * 32 + 31] - img[16 * 32]);
    const spans = Array.from({ length: 20 }, (_, step) => span(augmentedWindow(one, { patient: q, start: 0, count: 1 }, viewRng(5, step), zoom)));
    const ratio = spans.reduce((a, b) => a + b, 0) / spans.length / span(whole);
    expect(ratio).toBeGreaterThan(0.55);
    expect(ratio).toBeLessThan(0.9);
  });

  it('trainingView draws from the cached scans and refuses a patient it has none for', () => {
    const view = trainingView([{ patient: p, scans }]);
    expect(view({ patient: p, start: 1, count: 2 }, viewRng(4, 0))).toEqual(augmentedWindow(scans, { patient: p, start: 1, count: 2 }, viewRng(4, 0)));
    expect(() => view({ patient: patient('X', 7, 16), start: 0, count: 1 }, viewRng(4, 0))).toThrow(/patient X: no cached scans/);
  });
});
