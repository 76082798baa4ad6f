import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchNormTrain, fusedBatchNormalization } from './batchnorm.js';
import { NATIVE_BACKEND } from './native-backend.js';
import { closeness, engineForTests, onBoth, randomArray, rng } from './testing.js';

const engine = await engineForTests();

function bnOutputs(x: Float32Array, shape: number[], g: Float32Array, b: Float32Array, w: Float32Array): tf.Tensor[] {
  const xt = tf.tensor(x, shape), gt = tf.tensor1d(g), bt = tf.tensor1d(b), wt = tf.tensor(w, shape);
  const { y, mean, variance } = batchNormTrain(xt, gt, bt, 1e-5);
  const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a, c as tf.Tensor1D, d as tf.Tensor1D, 1e-5).y, wt)))([xt, gt, bt]);
  return [y, mean, variance, ...grads];
}

describe('batchNormTrain on the portable backends (cpu)', () => {
  it('normalises every channel to zero mean and unit variance before γ, β', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor2d([[1, 10], [3, 20], [5, 60]]);
    const { y, mean, variance } = batchNormTrain(x, tf.tensor1d([1, 2]), tf.tensor1d([0, 1]), 0);
    expect(Array.from(mean.dataSync())).toEqual([3, 30]);
    expect(variance.dataSync()[0]).toBeCloseTo(8 / 3, 5);
    expect(variance.dataSync()[1]).toBeCloseTo(1400 / 3, 3);
    const s = Math.sqrt(8 / 3);
    const yv = y.dataSync();
    expect(yv[0]).toBeCloseTo(-2 / s, 5);
    expect(yv[2]).toBeCloseTo(0, 6);
    expect(yv[3]).toBeCloseTo(1 + 2 * (20 - 30) / Math.sqrt(1400 / 3), 5);
  });
});

describe.skipIf(!engine.available)('fused batch norm kernels', () => {
  beforeAll(async () => {
    await tf.setBackend(NATIVE_BACKEND);
  });

  it('forward statistics and gradients match tfjs moments + batchNorm on the cpu backend', async () => {
    for (const [i, shape] of [[2, 5, 7, 3], [1, 3, 3, 8], [40, 6], [4, 33, 17, 16]].entries()) {
      const r = rng(30 + i), c = shape[shape.length - 1], n = shape.reduce((a, b) => a * b, 1);
      const x = randomArray(n, r).map((v) => v * 2 + 0.5), g = randomArray(c, r), b = randomArray(c, r), w = randomArray(n, r);
      const got = await onBoth(() => bnOutputs(x, shape, g, b, w));
      got.native.forEach((v, k) => expect(closeness(v, got.cpu[k], 1e-3, 1e-4), `${JSON.stringify(shape)} output ${k}`).toBeLessThan(1));
    }
  });

  it('keeps the variance accurate when the mean is far from zero', async () => {
    const r = rng(35), n = 64 * 64 * 8;
    const x = randomArray(n, r).map((v) => 300 + v * 0.5), g = new Float32Array(8).fill(1), b = new Float32Array(8);
    const got = await onBoth(() => bnOutputs(x, [64, 64, 8], g, b, randomArray(n, rng(36))).slice(0, 3));
    got.native.forEach((v, k) => expect(closeness(v, got.cpu[k], 1e-3, 1e-3), `output ${k}`).toBeLessThan(1));
  });

  it('gradients agree with central differences', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const shape = [3, 4, 2, 5], n = 120, r = rng(40);
    const x = randomArray(n, r), g = randomArray(5, r), b = randomArray(5, r), w = randomArray(n, r);
    const loss = (xa: Float32Array, ga: Float32Array) => tf.tidy(() => tf.sum(tf.mul(batchNormTrain(tf.tensor(xa, shape), tf.tensor1d(ga), tf.tensor1d(b), 1e-5).y, tf.tensor(w, shape))).dataSync()[0]);
    const [, , , dx, dg] = tf.tidy(() => bnOutputs(x, shape, g, b, w).map((t) => t.dataSync().slice()));
    const eps = 1e-2;
    for (let k = 0; k < 8; k++) {
      const i = Math.floor(r() * n);
      const xp = Float32Array.from(x), xm = Float32Array.from(x);
      xp[i] += eps;
      xm[i] -= eps;
      expect(Math.abs((loss(xp, g) - loss(xm, g)) / (2 * eps) - dx[i])).toBeLessThan(5e-3 + 1e-2 * Math.abs(dx[i]));
    }
    for (let j = 0; j < 5; j++) {
      const gp = Float32Array.from(g), gm = Float32Array.from(g);
      gp[j] += eps;
      gm[j] -= eps;
      expect(Math.abs((loss(x, gp) - loss(x, gm)) / (2 * eps) - dg[j])).toBeLessThan(5e-3 + 1e-2 * Math.abs(dg[j]));
    }
  });
});

describe('FusedBatchNormalization layer and the accelerated tf.layers.batchNormalization', () => {
  /** One training call then one inference call of a fresh layer; outputs, then weights, then the input gradient. */
  async function run(backend: string, make: () => tf.layers.Layer): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const r = rng(50);
    const x = tf.tensor4d(randomArray(2 * 3 * 3 * 4, r).map((v) => v * 3 + 1), [2, 3, 3, 4]);
    const w = tf.tensor4d(randomArray(2 * 3 * 3 * 4, r), [2, 3, 3, 4]);
    const layer = make();
    layer.build(x.shape);
    layer.setWeights([tf.tensor1d(randomArray(4, r)), tf.tensor1d(randomArray(4, r)), tf.zeros([4]), tf.ones([4])]);
    const yTrain = layer.apply(x, { training: true }) as tf.Tensor;
    const weights = layer.getWeights().map((v) => v.dataSync().slice() as Float32Array);
    const yInfer = layer.apply(x, { training: false }) as tf.Tensor;
    const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, w)))(x);
    return [yTrain, yInfer, dx].map((t) => t.dataSync().slice() as Float32Array).concat(weights);
  }
  const reference = () => tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5 });
  const ours = () => fusedBatchNormalization({ momentum: 0.9, epsilon: 1e-5 });

  it('FusedBatchNormalization matches tf.layers.batchNormalization on the cpu: outputs, moving statistics, gradient', async () => {
    const want = await run('cpu', reference);
    const got = await run('cpu', ours);
    got.forEach((v, k) => expect(closeness(v, want[k], 1e-4, 1e-5), `output ${k}`).toBeLessThan(1));
    const names = (l: tf.layers.Layer) => l.weights.map((v) => v.originalName.split('/').pop());
    const a = ours(), b = reference();
    a.build([1, 4]);
    b.build([1, 4]);
    expect(names(a)).toEqual(['gamma', 'beta', 'moving_mean', 'moving_variance']);
    expect(names(a)).toEqual(names(b));
  });

  it.skipIf(!engine.available)('on the native engine both layers match tfjs-layers on the cpu', async () => {
    const want = await run('cpu', reference);
    for (const make of [reference, ours]) {
      const got = await run(NATIVE_BACKEND, make);
      got.forEach((v, k) => expect(closeness(v, want[k], 1e-4, 1e-5), `output ${k}`).toBeLessThan(1));
    }
    const layer = reference();
    const x = tf.ones([2, 2, 2, 3]);
    layer.build(x.shape);
    const prof = await tf.profile(() => layer.apply(x, { training: true }) as tf.Tensor);
    expect(prof.kernelNames).toContain('UnboxBatchNormTrain');
    expect(prof.kernelNames).not.toContain('Mean');
  });
});
