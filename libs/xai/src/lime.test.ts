import { describe, expect, it } from 'vitest';
import { cosineDistanceToOnes, limeImage, limeKernel, weightedRidge } from './lime.js';
import type { Superpixels } from './slic.js';

/** A 12×12 image split into 9 square superpixels of 4×4. */
function gridSuperpixels(): Superpixels {
  const labels = new Int32Array(144);
  for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) labels[y * 12 + x] = Math.floor(y / 4) * 3 + Math.floor(x / 4);
  return { labels, count: 9, width: 12, height: 12 };
}

/** A model linear in the pixels: each superpixel adds a_s when shown (image 1) and 0 when zero-filled. */
function additiveModel(sp: Superpixels, a: number[]) {
  const calls: number[] = [];
  const seen: Float32Array[] = [];
  const predict = async (batch: Float32Array[]) => {
    calls.push(batch.length);
    seen.push(...batch);
    return Float64Array.from(batch, (img) => {
      let s = 0;
      for (let p = 0; p < img.length; p++) s += (a[sp.labels[p]] / 16) * img[p];
      return s;
    });
  };
  return { predict, calls, seen };
}

describe('LIME helpers', () => {
  it('cosine distance to all-ones and the lime kernel', () => {
    expect(cosineDistanceToOnes([1, 1, 1])).toBeCloseTo(0, 12);
    expect(cosineDistanceToOnes([1, 1, 0, 0])).toBeCloseTo(1 - 1 / Math.SQRT2, 12);
    expect(cosineDistanceToOnes([0, 0])).toBe(1);
    expect(limeKernel(0.25, 0.25)).toBeCloseTo(Math.sqrt(Math.exp(-1)), 12);
    expect(limeKernel(0, 0.25)).toBe(1);
  });

  it('weighted ridge with intercept matches the hand solution', () => {
    const X = [[0], [1], [2]];
    const y = [1, 3, 5];
    const exact = weightedRidge(X, y, [1, 1, 1], 0);
    expect(exact.coef[0]).toBeCloseTo(2, 10);
    expect(exact.intercept).toBeCloseTo(1, 10);
    expect(exact.r2).toBeCloseTo(1, 10);
    // α = 1: β = Σxc·yc / (Σxc² + α) = 4 / 3, b = ȳ − x̄β = 3 − 4/3
    const ridge = weightedRidge(X, y, [1, 1, 1], 1);
    expect(ridge.coef[0]).toBeCloseTo(4 / 3, 10);
    expect(ridge.intercept).toBeCloseTo(5 / 3, 10);
    // weights: w = (2, 1, 1) → x̄ = 0.75, ȳ = 2.5, Σw·xc² = 2·0.5625 + 0.0625 + 1.5625 = 2.75, Σw·xc·yc = 5.5 → β = 5.5 / 3.75
    const weighted = weightedRidge(X, y, [2, 1, 1], 1);
    expect(weighted.coef[0]).toBeCloseTo(5.5 / 3.75, 10);
    expect(weighted.intercept).toBeCloseTo(2.5 - 0.75 * (5.5 / 3.75), 10);
  });
});

describe('limeImage', () => {
  const sp = gridSuperpixels();
  const img = { data: new Float32Array(144).fill(1), width: 12, height: 12 };
  const a = [0.5, -1, 2, 0, 0.25, 3, -0.5, 1, 0.1];

  it('samples like lime_image: original first, p = 0.5 per superpixel, batched', async () => {
    const m = additiveModel(sp, a);
    const r = await limeImage(img, sp, m.predict, { fill: 'zero', seed: 3, batchSize: 64 });
    expect(m.seen.length).toBe(1000);
    expect(Array.from(m.seen[0])).toEqual(Array.from(img.data));
    expect(m.calls.every((n) => n <= 64)).toBe(true);
    expect(m.calls.length).toBe(Math.ceil(1000 / 64));
    const shown = m.seen.slice(1).reduce((s, im) => s + im.reduce((t, v) => t + v, 0) / 144, 0) / 999;
    expect(shown).toBeGreaterThan(0.47);
    expect(shown).toBeLessThan(0.53);
    expect(r.fx).toBeCloseTo(a.reduce((x, y) => x + y, 0), 5);
  });

  it('recovers an additive model exactly without the penalty and ranks it with α = 1', async () => {
    const exact = await limeImage(img, sp, additiveModel(sp, a).predict, { fill: 'zero', alpha: 0, seed: 1 });
    exact.weights.forEach((w, s) => expect(w).toBeCloseTo(a[s], 5));
    expect(exact.intercept).toBeCloseTo(0, 5);
    expect(exact.score).toBeCloseTo(1, 8);
    const ridge = await limeImage(img, sp, additiveModel(sp, a).predict, { fill: 'zero', seed: 1 });
    const rank = (v: ArrayLike<number>) => Array.from(v, (_, i) => i).sort((i, j) => v[j] - v[i]);
    expect(rank(ridge.weights)).toEqual(rank(a));
    // the ridge shrinks the coefficient vector, a little (weights sum to ≈ 1000·E[kernel])
    const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
    expect(norm(ridge.weights)).toBeLessThan(norm(a));
    ridge.weights.forEach((w, s) => expect(Math.abs(w - a[s])).toBeLessThan(0.05));
  });

  it('is deterministic for a seed and uses the configured fill', async () => {
    const nonlinear = async (batch: Float32Array[]) => Float64Array.from(batch, (im) => Math.tanh(im[0] * 2 + im[100] - im[143] * im[50]));
    const data = Float32Array.from({ length: 144 }, (_, i) => Math.cos(i));
    const image = { data, width: 12, height: 12 };
    const r1 = await limeImage(image, sp, nonlinear, { seed: 5, numSamples: 200 });
    const r2 = await limeImage(image, sp, nonlinear, { seed: 5, numSamples: 200 });
    expect(Array.from(r1.weights)).toEqual(Array.from(r2.weights));
    const r3 = await limeImage(image, sp, nonlinear, { seed: 6, numSamples: 200 });
    expect(Array.from(r3.weights)).not.toEqual(Array.from(r1.weights));
    // a constant fill equal to the image hides nothing: every weight is 0
    const flat = { data: new Float32Array(144).fill(2), width: 12, height: 12 };
    const r4 = await limeImage(flat, sp, nonlinear, { fill: { value: 2 }, numSamples: 50 });
    r4.weights.forEach((w) => expect(w).toBeCloseTo(0, 10));
  });

  it('rejects bad input and bad model output', async () => {
    const m = additiveModel(sp, a);
    await expect(limeImage({ data: new Float32Array(10), width: 12, height: 12 }, sp, m.predict)).rejects.toThrow(/has 10 pixels, expected 12×12/);
    const nan = new Float32Array(144);
    nan[7] = NaN;
    await expect(limeImage({ data: nan, width: 12, height: 12 }, sp, m.predict)).rejects.toThrow(/limeImage image: pixel 7 is not finite/);
    await expect(limeImage(img, sp, async (b) => new Float64Array(b.length - 1))).rejects.toThrow(/returned \d+ scores for a batch/);
    await expect(limeImage(img, sp, async (b) => new Float64Array(b.length).fill(NaN))).rejects.toThrow(/non-finite score/);
  });
});
