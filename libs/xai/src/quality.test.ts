import { describe, expect, it } from 'vitest';
import { boxIou, boxScores, deletionInsertion, maskBoxes, pointingChance, pointingGame, saliencyPeak, superpixelMap, trapezoidAuc } from './quality.js';

describe('curves', () => {
  it('trapezoid AUC on [0, 1] by hand', () => {
    expect(trapezoidAuc([1, 0])).toBe(0.5);
    expect(trapezoidAuc([1, 1, 0])).toBeCloseTo(0.75, 12);
    expect(() => trapezoidAuc([1])).toThrow(/at least 2/);
  });

  it('deletion is low and insertion high for the right saliency map, the reverse for the wrong one', async () => {
    // model: mean intensity over a "lesion" square of a 16×16 image
    const W = 16;
    const lesion = new Float32Array(W * W);
    for (let y = 4; y < 8; y++) for (let x = 4; x < 8; x++) lesion[y * W + x] = 1;
    const img = { data: Float32Array.from(lesion, (v) => (v ? 1 : 0.2)), width: W, height: W };
    const predict = async (batch: Float32Array[]) => batch.map((im) => im.reduce((s, v, p) => s + v * lesion[p], 0) / 16);
    const good = await deletionInsertion(img, lesion, predict, { steps: 16, insertionBaseline: 'zero' });
    const bad = await deletionInsertion(img, lesion.map((v) => 1 - v), predict, { steps: 16, insertionBaseline: 'zero' });
    // good: the 16 lesion pixels (1/16 of the image) go first → score 1 → 0 over the first step
    expect(Array.from(good.deletion.scores.slice(0, 3))).toEqual([1, 0, 0]);
    expect(good.deletion.auc).toBeCloseTo(0.5 / 16, 12);
    expect(good.insertion.auc).toBeCloseTo(1 - 0.5 / 16, 12);
    expect(bad.deletion.auc).toBeCloseTo(1 - 0.5 / 16, 12);
    expect(bad.insertion.auc).toBeCloseTo(0.5 / 16, 12);
    expect(good.deletion.fractions[16]).toBe(1);
  });

  it('spreads superpixel values to pixels', () => {
    const sp = { labels: Int32Array.of(0, 1, 1, 0), count: 2, width: 2, height: 2 };
    expect(Array.from(superpixelMap([5, 7], sp))).toEqual([5, 7, 7, 5]);
    expect(() => superpixelMap([1], sp)).toThrow(/1 values for 2 superpixels/);
  });
});

describe('pointing game and boxes', () => {
  it('hits when the maximum is on the lesion (or within the tolerance)', () => {
    const mask = new Uint8Array(25);
    mask[2 * 5 + 2] = 1;
    const sal = new Float32Array(25);
    sal[2 * 5 + 2] = 1;
    expect(pointingGame(sal, mask, 5)).toEqual({ hit: true, point: [2, 2] });
    sal[0] = 2;
    expect(pointingGame(sal, mask, 5).hit).toBe(false);
    expect(pointingGame(sal, mask, 5, 3).hit).toBe(true); // distance √8 ≤ 3
    expect(pointingGame(sal, mask, 5, 2.5).hit).toBe(false);
  });

  it('a plateau points at its centre, not its first pixel (an upsampled 2×2 CAM is flat over a corner block)', () => {
    // 6×6, maximum 1 over the top-left 3×3 block: centroid (1, 1); raster order would say (0, 0)
    const sal = new Float32Array(36);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) sal[y * 6 + x] = 1;
    expect(saliencyPeak(sal, 6)).toEqual([1, 1]);
    const mask = new Uint8Array(36);
    mask[1 * 6 + 1] = 1;
    expect(pointingGame(sal, mask, 6)).toEqual({ hit: true, point: [1, 1] });
    // an L-shaped plateau {(0,0), (1,0), (0,1)}: centroid (1/3, 1/3), the tied pixel nearest it is (0, 0)
    const l = new Float32Array(9);
    l[0] = l[1] = l[3] = 5;
    expect(saliencyPeak(l, 3)).toEqual([0, 0]);
    // two equal peaks far apart: centroid between them, the first nearest wins
    const two = new Float32Array(5);
    two[0] = two[4] = 1;
    expect(saliencyPeak(two, 5)).toEqual([0, 0]);
  });

  it('chance level is the (dilated) mask fraction', () => {
    const mask = new Uint8Array(25);
    mask[2 * 5 + 2] = 1;
    expect(pointingChance(mask, 5)).toBe(1 / 25);
    // within distance 1: the centre and its 4 neighbours
    expect(pointingChance(mask, 5, 1)).toBe(5 / 25);
    // within √2: the 3×3 block
    expect(pointingChance(mask, 5, Math.SQRT2)).toBe(9 / 25);
  });

  it('box IoU by hand (inclusive pixel boxes)', () => {
    expect(boxIou([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    // 2×2 and 2×2 overlapping in 1×2 → 2 / (4 + 4 − 2)
    expect(boxIou([0, 0, 1, 1], [1, 0, 2, 1])).toBeCloseTo(2 / 6, 12);
    expect(boxIou([0, 0, 1, 1], [3, 3, 4, 4])).toBe(0);
  });

  it('scores predicted boxes against the mask’s lesions', () => {
    const W = 10;
    const mask = new Uint8Array(100);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) mask[y * W + x] = 1;
    for (let y = 6; y <= 8; y++) for (let x = 6; x <= 8; x++) mask[y * W + x] = 1;
    expect(maskBoxes(mask, W, W)).toEqual([
      [1, 1, 3, 3],
      [6, 6, 8, 8],
    ]);
    const s = boxScores([[1, 1, 3, 3], [0, 6, 2, 8]], mask, W, W);
    expect(s.perLesion).toEqual([1, 0]);
    expect(s.meanIou).toBe(0.5);
    expect(s.recall).toBe(0.5);
    expect(s.precision).toBe(0.5);
  });
});
