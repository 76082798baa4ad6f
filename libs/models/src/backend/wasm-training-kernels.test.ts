import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './wasm-training-kernels.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

beforeAll(() => registerWasmTrainingKernels());

type Case = [number, 'same' | 'valid', number, number]; // stride, padding, kernel, input size
const cases: Case[] = [[1, 'same', 3, 9], [2, 'same', 3, 9], [2, 'same', 3, 8], [2, 'valid', 1, 9], [2, 'same', 7, 10], [1, 'valid', 3, 9], [2, 'valid', 3, 10], [3, 'same', 3, 10]];

/** Gradients of Σ conv2d(x, w)·dy w.r.t. x and w, on one backend, as plain arrays. */
async function grads(backend: string, c: Case, xd: Float32Array, wd: Float32Array, seed: number) {
  const [s, pad, k, h] = c;
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = tf.tensor4d(xd, [2, h, h, 3]);
    const w = tf.tensor4d(wd, [k, k, 3, 4]);
    const dy = tf.randomNormal(tf.conv2d(x, w, s, pad).shape, 0, 1, 'float32', seed);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad).mul(dy).sum();
    const [gx, gw] = tf.grads(f)([x, w]);
    return [gx.dataSync().slice(), gw.dataSync().slice()];
  });
  return { out, leaked: tf.memory().numTensors - before };
}

describe('wasm training kernels (conv backprop as XNNPACK convolutions)', () => {
  it('input and filter gradients equal the cpu backend for the strides, paddings and sizes the models use', async () => {
    for (const [i, c] of cases.entries()) {
      const [, , k, h] = c;
      await tf.setBackend('cpu');
      const xd = tf.randomNormal([2, h, h, 3], 0, 1, 'float32', i).dataSync() as Float32Array;
      const wd = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', 100 + i).dataSync() as Float32Array;
      const cpu = await grads('cpu', c, xd, wd, 200 + i);
      const wasm = await grads('wasm', c, xd, wd, 200 + i);
      expect(wasm.leaked).toBe(0);
      expect(maxAbsDiff(wasm.out[0], cpu.out[0])).toBeLessThan(1e-4);
      expect(maxAbsDiff(wasm.out[1], cpu.out[1])).toBeLessThan(1e-3);
    }
  });
});
