import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { createRng } from './rng.js';
import { jitterWindowed, sampleIntensityJitter, SCANNER_JITTER } from './scanner-jitter.js';
import { sampleClassifyAugmentation } from './pipelines.js';
import { LUNG_WINDOW, windowCt } from './window.js';

describe('scanner jitter on windowed CT', () => {
  it('equals windowing the recalibrated HU: HU′ = s·HU + o (hand-computed)', () => {
    const hu = [-1000, -850, -500, -100, 100];
    const j = { scale: 1.05, offsetHu: -20, noiseHu: 0, noiseSeed: 1 };
    const out = jitterWindowed(windowCt(image(1, 5, 1, hu)), LUNG_WINDOW, j);
    // e.g. -500 HU → 1.05·(-500) − 20 = −545 HU → (−545 + 1350) / 1500 = 0.53667
    const expected = hu.map((h) => (1.05 * h - 20 + 1350) / 1500);
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(out.data[2]).toBeCloseTo(0.536667, 5);
  });

  it('clamps to [0, 1] like the window does', () => {
    const out = jitterWindowed(image(1, 2, 1, [0, 1]), LUNG_WINDOW, { scale: 1, offsetHu: 300, noiseHu: 0, noiseSeed: 0 });
    expect(out.data[0]).toBeCloseTo(0.2, 6);
    expect(out.data[1]).toBe(1);
  });

  it('adds noise of the drawn sd (HU / width), reproducibly, independent between slices', () => {
    const flat = image(200, 200, 1, new Float32Array(40000).fill(0.5));
    const j = { scale: 1, offsetHu: 0, noiseHu: 30, noiseSeed: 7 };
    const a = jitterWindowed(flat, LUNG_WINDOW, j, 0);
    const mean = a.data.reduce((x, y) => x + y, 0) / a.data.length;
    const sd = Math.sqrt(a.data.reduce((x, y) => x + (y - mean) ** 2, 0) / a.data.length);
    expect(mean).toBeCloseTo(0.5, 3);
    expect(sd).toBeCloseTo(30 / 1500, 3);
    expect(Array.from(jitterWindowed(flat, LUNG_WINDOW, j, 0).data)).toEqual(Array.from(a.data));
    expect(jitterWindowed(flat, LUNG_WINDOW, j, 1).data[0]).not.toBe(a.data[0]);
  });

  it('draws inside the ranges and names a bad range', () => {
    const rng = createRng(3);
    for (let i = 0; i < 200; i++) {
      const j = sampleIntensityJitter(rng);
      expect(j.scale).toBeGreaterThanOrEqual(SCANNER_JITTER.scale[0]);
      expect(j.scale).toBeLessThan(SCANNER_JITTER.scale[1]);
      expect(Math.abs(j.offsetHu)).toBeLessThanOrEqual(50);
      expect(j.noiseHu).toBeGreaterThanOrEqual(0);
    }
    expect(() => sampleIntensityJitter(rng, { ...SCANNER_JITTER, noiseHu: [-1, 2] })).toThrow(/noiseHu must be >= 0/);
    expect(() => sampleIntensityJitter(rng, { ...SCANNER_JITTER, offsetHu: [5, -5] })).toThrow(/offsetHu must be \[lo, hi\]/);
  });

  it('is off by default in the classifier augmentation, and drawn after crop and flip when on (earlier runs replay unchanged)', () => {
    const plain = sampleClassifyAugmentation(createRng(9), 100, 120);
    const withJitter = sampleClassifyAugmentation(createRng(9), 100, 120, { intensity: SCANNER_JITTER });
    expect(plain.intensity).toBeUndefined();
    expect(withJitter.box).toEqual(plain.box);
    expect(withJitter.flip).toBe(plain.flip);
    expect(withJitter.intensity).toBeDefined();
  });
});
