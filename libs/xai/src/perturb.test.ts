import { describe, expect, it } from 'vitest';
import { gaussianBlur } from './image.js';
import { composite, evaluateCoalitions, fillImage } from './perturb.js';

const img = { data: Float32Array.of(1, 2, 3, 4, 5, 6), width: 3, height: 2 };
const sp = { labels: Int32Array.of(0, 0, 1, 0, 1, 1), count: 2, width: 3, height: 2 };

describe('fill values', () => {
  it('mean of each superpixel, zero, a constant, or the blurred image', () => {
    // superpixel 0 = {1, 2, 4} → 7/3, superpixel 1 = {3, 5, 6} → 14/3
    const mean = fillImage(img, sp, 'mean');
    expect(Array.from(mean).map((v) => +v.toFixed(5))).toEqual([2.33333, 2.33333, 4.66667, 2.33333, 4.66667, 4.66667]);
    expect(Array.from(fillImage(img, sp, 'zero'))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(fillImage(img, sp, { value: -1000 }))).toEqual(new Array(6).fill(-1000));
    expect(Array.from(fillImage(img, sp, 'blur', 2))).toEqual(Array.from(gaussianBlur(img, 2).data));
    expect(() => fillImage(img, sp, 'median' as never)).toThrow(/unknown fill/);
  });

  it('composes the shown and hidden superpixels', () => {
    const fill = new Float32Array(6).fill(-1);
    expect(Array.from(composite(img.data, fill, sp.labels, [1, 0]))).toEqual([1, 2, -1, 4, -1, -1]);
    expect(Array.from(composite(img.data, fill, sp.labels, [0, 1]))).toEqual([-1, -1, 3, -1, 5, 6]);
  });

  it('evaluates coalitions in batches of at most batchSize, in order', async () => {
    const sizes: number[] = [];
    const predict = async (b: Float32Array[]) => {
      sizes.push(b.length);
      return b.map((im) => im.reduce((s, v) => s + v, 0));
    };
    const zs = [[1, 1], [0, 0], [1, 0], [0, 1], [1, 1]];
    const y = await evaluateCoalitions(img.data, new Float32Array(6), sp.labels, zs, predict, 2);
    expect(Array.from(y)).toEqual([21, 0, 7, 14, 21]);
    expect(sizes).toEqual([2, 2, 1]);
    await expect(evaluateCoalitions(img.data, new Float32Array(6), sp.labels, zs, predict, 0)).rejects.toThrow(/batchSize must be ≥ 1/);
  });
});
