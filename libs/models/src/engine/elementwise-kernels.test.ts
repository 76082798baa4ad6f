import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { collapseBroadcast, reductionLayout } from './elementwise-kernels.js';
import { releaseEngineBuffers } from './index.js';
import { NATIVE_BACKEND, fallbackCounts } from './native-backend.js';
import { closeness, engineForTests, onBoth, randomArray, rng } from './testing.js';

const engine = await engineForTests();
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

describe('shape planning (pure)', () => {
  it('collapses NHWC ⊕ [C] to rows of C and keeps real broadcasts apart', () => {
    expect(collapseBroadcast([2, 3, 4, 5], [2, 3, 4, 5], [5])).toEqual({ shape: [24, 5], sa: [5, 1], sb: [0, 1] });
    expect(collapseBroadcast([2, 3, 4], [2, 3, 4], [2, 3, 4])).toEqual({ shape: [24], sa: [1], sb: [1] });
    expect(collapseBroadcast([4, 5, 6], [4, 1, 6], [1, 5, 1])).toEqual({ shape: [4, 5, 6], sa: [6, 0, 1], sb: [0, 1, 0] });
    expect(collapseBroadcast([3], [], [3])).toEqual({ shape: [3], sa: [0], sb: [1] });
    expect(collapseBroadcast([1, 1], [1, 1], [1])).toEqual({ shape: [1], sa: [1], sb: [1] });
  });
  it('maps reductions to [outer, reduced, inner] or refuses split runs', () => {
    expect(reductionLayout([8, 4, 4, 16], [0, 1, 2])).toEqual({ outer: 1, red: 128, inner: 16 });
    expect(reductionLayout([8, 4, 4, 16], [1, 2])).toEqual({ outer: 8, red: 16, inner: 16 });
    expect(reductionLayout([8, 4, 1, 16], [3])).toEqual({ outer: 32, red: 16, inner: 1 });
    expect(reductionLayout([8, 4, 4, 16], [0, 3])).toBeNull();
    expect(reductionLayout([8, 1, 4], [0, 2])).toEqual({ outer: 1, red: 32, inner: 1 }); // size-1 dims do not split a run
    expect(reductionLayout([8, 3, 4], [0, 2])).toBeNull();
  });
});

describe.skipIf(!engine.available)('element-wise, reduction and data-movement kernels against the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend(NATIVE_BACKEND);
  });

  it('binary ops match with and without broadcasting', async () => {
    const shapes: [number[], number[]][] = [[[2, 3, 4, 5], [5]], [[2, 3, 4, 5], [2, 3, 4, 5]], [[2, 3, 4, 5], [3, 1, 1]], [[1], [2, 3]], [[4, 1, 6], [1, 5, 1]], [[], [7, 3]], [[40000], [40000]], [[300, 150], [150]]];
    const r = rng(21);
    for (const [as, bs] of shapes) {
      const a = randomArray(size(as), r), b = randomArray(size(bs), r).map((v) => v + Math.sign(v) * 0.5);
      const got = await onBoth(() => {
        const at = tf.tensor(a, as), bt = tf.tensor(b, bs);
        return [tf.add(at, bt), tf.sub(at, bt), tf.mul(at, bt), tf.div(at, bt), tf.maximum(at, bt), tf.minimum(at, bt), tf.squaredDifference(at, bt), tf.sub(bt, at)];
      });
      got.native.forEach((v, k) => expect(closeness(v, got.cpu[k]), `${JSON.stringify([as, bs])} op ${k}`).toBeLessThan(1));
    }
  });

  it('unary ops, relu gradient and addN match', async () => {
    const r = rng(22);
    for (const n of [7, 70000]) {
      const x = randomArray(n, r).map((v) => v * 3);
      const pos = x.map((v) => Math.abs(v) + 0.1);
      const got = await onBoth(() => {
        const t = tf.tensor1d(x), p = tf.tensor1d(pos);
        return [tf.relu(t), tf.relu6(t), tf.step(t, 0.3), tf.neg(t), tf.square(t), tf.sqrt(p), tf.rsqrt(p), tf.reciprocal(p), tf.exp(t), tf.log(p), tf.sigmoid(t), tf.tanh(t), tf.abs(t),
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), p)))(t), tf.addN([t, p, t])];
      });
      got.native.forEach((v, k) => expect(closeness(v, got.cpu[k], 1e-5, 1e-6), `n=${n} op ${k}`).toBeLessThan(1));
    }
  });

  it('sum, mean and max match over leading, trailing and middle axes', async () => {
    const r = rng(23);
    const x = randomArray(3 * 5 * 7 * 4, r);
    const axesList: (number | number[])[] = [[0, 1, 2], [1, 2], 3, 0, [0, 1, 2, 3], [2, 3]];
    for (const axes of axesList) {
      const got = await onBoth(() => {
        const t = tf.tensor4d(x, [3, 5, 7, 4]);
        return [tf.sum(t, axes), tf.mean(t, axes, true), tf.max(t, axes)];
      });
      got.native.forEach((v, k) => expect(closeness(v, got.cpu[k], 1e-5, 1e-5), `axes ${JSON.stringify(axes)} op ${k}`).toBeLessThan(1));
    }
    // A long reduction split across threads.
    const big = randomArray(64 * 1024 * 8, r);
    const got = await onBoth(() => [tf.sum(tf.tensor2d(big, [64 * 1024, 8]), 0), tf.mean(tf.tensor2d(big, [64 * 1024, 8]), 1)]);
    got.native.forEach((v, k) => expect(closeness(v, got.cpu[k], 1e-4, 1e-4), `big ${k}`).toBeLessThan(1));
  });

  it('tile, transpose and batchNorm (inference form) match', async () => {
    const r = rng(24);
    const x = randomArray(2 * 3 * 4 * 5, r), c5 = () => randomArray(5, r);
    const mean = c5(), variance = c5().map((v) => Math.abs(v) + 0.2), scale = c5(), offset = c5();
    const got = await onBoth(() => {
      const t = tf.tensor4d(x, [2, 3, 4, 5]);
      return [tf.tile(t, [1, 2, 1, 3]), tf.tile(tf.reshape(tf.tensor1d(mean), [1, 1, 1, 5]), [2, 3, 4, 1]), tf.transpose(t, [3, 1, 0, 2]), tf.transpose(t, [0, 1, 3, 2]),
        tf.batchNorm(t, tf.tensor1d(mean), tf.tensor1d(variance), tf.tensor1d(offset), tf.tensor1d(scale), 1e-3), tf.batchNorm(t, tf.tensor1d(mean), tf.tensor1d(variance))];
    });
    got.native.forEach((v, k) => expect(closeness(v, got.cpu[k]), `op ${k}`).toBeLessThan(1));
  });

  it('slice, split (SplitV), concat and the concat gradient match', async () => {
    const r = rng(25);
    const a = randomArray(2 * 5 * 6 * 3, r), b = randomArray(2 * 5 * 6 * 4, r), c = randomArray(2 * 5 * 6 * 1, r);
    const w = randomArray(2 * 5 * 6 * 8, r);
    const got = await onBoth(() => {
      const at = tf.tensor4d(a, [2, 5, 6, 3]), bt = tf.tensor4d(b, [2, 5, 6, 4]), ct = tf.tensor4d(c, [2, 5, 6, 1]);
      const cat = tf.concat([at, bt, ct], -1);
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y, ct], 3), tf.tensor4d(w, [2, 5, 6, 8]))))([at, bt]);
      return [cat, tf.concat([at, at], 0), tf.concat([at, at], 1), tf.concat([tf.tensor1d([1, 2]), tf.tensor1d([]), tf.tensor1d([3])]),
        tf.slice(at, [1, 2, 0, 1], [1, 3, 6, 2]), tf.slice(bt, [0, 0, 3, 0], [2, 5, 3, 4]), ...tf.split(cat, [3, 4, 1], 3), ...tf.split(cat, 2, 1 + 1), ...grads];
    });
    got.native.forEach((v, k) => expect(closeness(v, got.cpu[k]), `op ${k}`).toBeLessThan(1));
  });

  it('ran natively: none of these kernels fell back to the cpu', () => {
    expect(Object.fromEntries(fallbackCounts)).toEqual({});
  });

  it('never recycles a buffer that left the backend (dataSync, cpu views)', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const a = tf.relu(tf.tensor1d([1, -2, 3, -4, 5, 6]));
    const seen = a.dataSync();
    const slice = tf.slice(a, [2], [3]);
    a.dispose();
    const b = tf.neg(tf.tensor1d([9, 9, 9, 9, 9, 9])); // same size: would reuse a's buffer
    expect(Array.from(seen)).toEqual([1, 0, 3, 0, 5, 6]);
    expect(Array.from(slice.dataSync())).toEqual([3, 0, 5]);
    // Buffers that stayed inside are reused and fully overwritten.
    const c = tf.exp(tf.tensor1d([0, 0, 0, 0, 0, 0]));
    const d = tf.relu(c);
    c.dispose();
    const e = tf.relu(tf.tensor1d([1, 2, 3, 4, 5, -6]));
    expect(Array.from(e.dataSync())).toEqual([1, 2, 3, 4, 5, 0]);
    expect(Array.from(d.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    tf.dispose([b, slice, d, e]);
    expect(releaseEngineBuffers()).toBeGreaterThan(0);
    expect(releaseEngineBuffers()).toBe(0);
  });
});
