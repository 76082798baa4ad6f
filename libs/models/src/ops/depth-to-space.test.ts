import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { depthToSpace } from './depth-to-space.js';
import { maxAbsDiff, numericGrad } from '../testing/finite-difference.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('depthToSpace (SP of Eq. 13)', () => {
  it('puts channel (i·r + j)·C + c of (h, w) at (h·r + i, w·r + j, c)', () => {
    // one pixel, r = 2, C = 1: channels [a b c d] become [[a b], [c d]]
    const x = tf.tensor4d([10, 11, 12, 13], [1, 1, 1, 4]);
    expect(depthToSpace(x, 2).arraySync()).toEqual([[[[10], [11]], [[12], [13]]]]);
    // C = 2: channel pairs stay together
    const y = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 1, 8]);
    expect(depthToSpace(y, 2).arraySync()).toEqual([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]);
  });

  it('equals tf.depthToSpace forward (NHWC)', () => {
    const x = tf.randomNormal([2, 3, 4, 12], 0, 1, 'float32', 7) as tf.Tensor4D;
    expect(maxAbsDiff(depthToSpace(x, 2).dataSync(), tf.depthToSpace(x, 2).dataSync())).toBe(0);
    const x3 = tf.randomNormal([1, 2, 2, 18], 0, 1, 'float32', 8) as tf.Tensor4D;
    expect(maxAbsDiff(depthToSpace(x3, 3).dataSync(), tf.depthToSpace(x3, 3).dataSync())).toBe(0);
    expect(depthToSpace(x, 2).shape).toEqual([2, 6, 8, 3]);
  });

  it('is differentiable and its gradient matches finite differences', () => {
    const x = tf.randomNormal([1, 2, 2, 8], 0, 1, 'float32', 9) as tf.Tensor4D;
    const w = tf.randomNormal([1, 4, 4, 2], 0, 1, 'float32', 10);
    const f = (t: tf.Tensor) => depthToSpace(t as tf.Tensor4D, 2).mul(w).square().sum() as tf.Scalar;
    expect(maxAbsDiff(tf.grad(f)(x).dataSync(), numericGrad(f, x, 1e-2))).toBeLessThan(1e-2);
  });

  it('rejects a depth not divisible by r²', () => {
    expect(() => depthToSpace(tf.zeros([1, 2, 2, 6]) as tf.Tensor4D, 2)).toThrow(/divisible/);
  });
});
