import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setEnginePrecision, setEngineThreads } from './index.js';
import { NATIVE_BACKEND, fallbackCounts } from './native-backend.js';
import { closeness, engineForTests, onBoth, randomArray, rng } from './testing.js';

const engine = await engineForTests();

it('the native engine is built wherever oneDNN is installed in CI', () => {
  expect(engine.engineMissingInCi).toBeNull();
});

interface ConvCase { n: number; h: number; w: number; cin: number; cout: number; kh: number; kw: number; s: [number, number]; d: [number, number]; pad: 'same' | 'valid' | number }

/** Random geometries: odd sizes, batch 1, strides 1–3, dilation 2 (stride 1), same/valid/explicit padding. */
function cases(seed: number, count: number, dilate: boolean): ConvCase[] {
  const r = rng(seed), int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: ConvCase[] = [];
  while (out.length < count) {
    const d: [number, number] = dilate && r() < 0.5 ? [int(1, 2), int(1, 2)] : [1, 1];
    const s: [number, number] = d[0] > 1 || d[1] > 1 ? [1, 1] : [int(1, 3), int(1, 3)];
    const pads = ['same', 'valid', int(0, 2)] as const;
    const c: ConvCase = { n: out.length === 0 ? 1 : int(1, 3), h: int(3, 11), w: int(3, 11), cin: int(1, 5), cout: int(1, 6), kh: int(1, 4), kw: int(1, 4), s, d, pad: pads[int(0, 2)] };
    // tfjs sizes explicit padding from the filter height and stride height alone: keep such cases square.
    if (typeof c.pad === 'number') Object.assign(c, { kw: c.kh, s: [s[0], s[0]], d: [1, 1] });
    if ((c.kh - 1) * c.d[0] + 1 > c.h || (c.kw - 1) * c.d[1] + 1 > c.w) continue;
    out.push(c);
  }
  return out;
}

describe.skipIf(!engine.available)('convolution kernels against the cpu backend', () => {
  beforeAll(async () => {
    await tf.setBackend(NATIVE_BACKEND);
  });

  it('Conv2D and FusedConv2D (bias + relu) match on random geometries', async () => {
    for (const [i, c] of cases(1, 14, true).entries()) {
      const r = rng(100 + i);
      const x = randomArray(c.n * c.h * c.w * c.cin, r), f = randomArray(c.kh * c.kw * c.cin * c.cout, r), b = randomArray(c.cout, r);
      const got = await onBoth(() => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.cin]), ft = tf.tensor4d(f, [c.kh, c.kw, c.cin, c.cout]);
        return [
          tf.conv2d(xt, ft, c.s, c.pad, 'NHWC', c.d),
          tf.fused.conv2d({ x: xt, filter: ft, strides: c.s, pad: c.pad, dilations: c.d, bias: tf.tensor1d(b), activation: 'relu' }),
        ];
      });
      for (let k = 0; k < 2; k++) expect(closeness(got.native[k], got.cpu[k]), `case ${JSON.stringify(c)} output ${k}`).toBeLessThan(1);
    }
  });

  it('conv2d gradients (backprop input and filter) match on random geometries', async () => {
    for (const [i, c] of cases(2, 14, false).entries()) {
      const r = rng(200 + i);
      const x = randomArray(c.n * c.h * c.w * c.cin, r), f = randomArray(c.kh * c.kw * c.cin * c.cout, r);
      const got = await onBoth(() => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.cin]), ft = tf.tensor4d(f, [c.kh, c.kw, c.cin, c.cout]);
        const y = tf.conv2d(xt, ft, c.s, c.pad);
        const weights = tf.tensor(randomArray(y.size, rng(300 + i)), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), weights)))([xt, ft]);
      });
      expect(closeness(got.native[0], got.cpu[0]), `dx ${JSON.stringify(c)}`).toBeLessThan(1);
      expect(closeness(got.native[1], got.cpu[1]), `dw ${JSON.stringify(c)}`).toBeLessThan(1);
    }
  });

  it('conv2d gradients agree with central differences', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const r = rng(7);
    const [n, h, w, cin, cout] = [2, 7, 9, 3, 4];
    const x = randomArray(n * h * w * cin, r), f = randomArray(3 * 3 * cin * cout, r), wt = randomArray(n * 4 * 5 * cout, r);
    const loss = (xa: Float32Array, fa: Float32Array) => tf.tidy(() => tf.sum(tf.mul(tf.conv2d(tf.tensor4d(xa, [n, h, w, cin]), tf.tensor4d(fa, [3, 3, cin, cout]), 2, 'same'), tf.tensor4d(wt, [n, 4, 5, cout]))).dataSync()[0]);
    const [gx, gf] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), tf.tensor4d(wt, [n, 4, 5, cout]))))([tf.tensor4d(x, [n, h, w, cin]), tf.tensor4d(f, [3, 3, cin, cout])]).map((t) => t.dataSync().slice()));
    const eps = 1e-2;
    for (const [arr, grad, other, isX] of [[x, gx, f, true], [f, gf, x, false]] as const) {
      for (let k = 0; k < 6; k++) {
        const idx = Math.floor(r() * arr.length);
        const plus = Float32Array.from(arr), minus = Float32Array.from(arr);
        plus[idx] += eps;
        minus[idx] -= eps;
        const num = isX ? (loss(plus, other) - loss(minus, other)) / (2 * eps) : (loss(other, plus) - loss(other, minus)) / (2 * eps);
        expect(Math.abs(num - grad[idx])).toBeLessThan(2e-3 + 2e-3 * Math.abs(grad[idx]));
      }
    }
  });

  it('depthwise convolution and its gradients match', async () => {
    for (const [i, c] of cases(3, 8, false).entries()) {
      const mult = 1 + (i % 2);
      const r = rng(400 + i);
      const x = randomArray(c.n * c.h * c.w * c.cin, r), f = randomArray(c.kh * c.kw * c.cin * mult, r);
      const pad = c.pad === 'same' ? 'same' : 'valid';
      const s: [number, number] = [c.s[0], c.s[0]]; // tfjs depthwise wants equal strides
      const got = await onBoth(() => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.cin]), ft = tf.tensor4d(f, [c.kh, c.kw, c.cin, mult]);
        const y = tf.depthwiseConv2d(xt, ft, s, pad);
        const wts = tf.tensor(randomArray(y.size, rng(500 + i)), y.shape);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, pad), wts)))([xt, ft]);
        return [y, ...g];
      });
      for (let k = 0; k < 3; k++) expect(closeness(got.native[k], got.cpu[k]), `case ${i} output ${k}`).toBeLessThan(1);
    }
  });

  it('max and average pooling and their gradients match', async () => {
    const r = rng(9);
    const poolCases: [[number, number, number, number], number, number, 'same' | 'valid'][] = [[[2, 9, 7, 3], 3, 2, 'same'], [[1, 8, 8, 2], 2, 2, 'valid'], [[3, 5, 6, 4], 3, 1, 'valid'], [[1, 7, 7, 5], 3, 2, 'same']];
    for (const [shape, size, stride, pad] of poolCases) {
      const x = randomArray(shape.reduce((a, b) => a * b, 1), r);
      const got = await onBoth(() => {
        const xt = tf.tensor4d(x, shape);
        const mp = tf.maxPool(xt, size, stride, pad), ap = tf.avgPool(xt, size, stride, pad);
        const wm = tf.tensor(randomArray(mp.size, rng(11)), mp.shape);
        const gm = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, size, stride, pad), wm)))(xt);
        const ga = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(a as tf.Tensor4D, size, stride, pad), wm)))(xt);
        return [mp, ap, gm, ga];
      });
      for (let k = 0; k < 4; k++) expect(closeness(got.native[k], got.cpu[k]), `${JSON.stringify(shape)} ${pad} output ${k}`).toBeLessThan(1);
    }
  });

  it('matMul with transposes, batch broadcast and fused bias + relu matches', async () => {
    const r = rng(12);
    const mmCases: [number[], number[], boolean, boolean][] = [[[5, 7], [7, 3], false, false], [[7, 5], [7, 3], true, false], [[2, 5, 7], [2, 3, 7], false, true], [[3, 4, 6], [6, 2], false, false], [[1, 6, 4], [3, 6, 5], true, false]];
    for (const [as, bs, ta, tb] of mmCases) {
      const a = randomArray(as.reduce((p, q) => p * q, 1), r), b = randomArray(bs.reduce((p, q) => p * q, 1), r);
      const got = await onBoth(() => {
        const at = tf.tensor(a, as), bt = tf.tensor(b, bs);
        const y = tf.matMul(at, bt, ta, tb);
        const bias = tf.tensor1d(randomArray(y.shape[y.rank - 1], rng(13)));
        return [y, tf.fused.matMul({ a: at, b: bt, transposeA: ta, transposeB: tb, bias, activation: 'relu' })];
      });
      for (let k = 0; k < 2; k++) expect(closeness(got.native[k], got.cpu[k]), `${JSON.stringify([as, bs, ta, tb])} output ${k}`).toBeLessThan(1);
    }
  });

  it('filter gradients with channel counts off the 16-lane blocks, odd then even batches, 2 threads', async () => {
    // The classifier's slice bags change the batch between steps (72 then 55): oneDNN 2.6's
    // padded-layout 1×1 strided filter-gradient kernel corrupted the heap there.
    setEngineThreads(2);
    for (const [n, k, s, cin, cout] of [[55, 1, 2, 8, 16], [72, 1, 2, 8, 16], [55, 3, 2, 8, 16], [9, 7, 2, 1, 8], [55, 3, 1, 8, 8]]) {
      const r = rng(90 + n + k);
      const x = randomArray(n * 16 * 16 * cin, r), f = randomArray(k * k * cin * cout, r);
      const got = await onBoth(() => {
        const xt = tf.tensor4d(x, [n, 16, 16, cin]), ft = tf.tensor4d(f, [k, k, cin, cout]);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s, 'same'))))([xt, ft]);
      });
      got.native.forEach((v, i) => expect(closeness(v, got.cpu[i], 1e-3, 1e-3), `n=${n} k=${k} output ${i}`).toBeLessThan(1));
    }
  });

  it('ran every case natively: no call fell back to the cpu kernels except padded average-pool gradients', () => {
    const fell = Object.fromEntries(fallbackCounts);
    delete fell.AvgPoolGrad;
    expect(fell).toEqual({});
  });

  it('bf16 mode: convolutions and their gradients stay within bf16 rounding of the f32 results', async () => {
    const r = rng(80);
    const [n, h, w, c, o] = [4, 12, 10, 32, 48];
    const x = randomArray(n * h * w * c, r), f = randomArray(3 * 3 * c * o, r);
    const compute = () => {
      const xt = tf.tensor4d(x, [n, h, w, c]), ft = tf.tensor4d(f, [3, 3, c, o]);
      const y = tf.conv2d(xt, ft, 1, 'same');
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))))([xt, ft]);
      return [y, ...g].map((t) => t.dataSync().slice() as Float32Array);
    };
    await tf.setBackend(NATIVE_BACKEND);
    const f32 = tf.tidy(compute);
    setEnginePrecision('bf16');
    try {
      const bf16 = tf.tidy(compute);
      f32.forEach((want, k) => {
        // bf16 keeps 8 significant bits: errors of a few 1e-3 relative to the output's scale.
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(closeness(bf16[k], want, 0, 2e-2 * scale), `output ${k}`).toBeLessThan(1);
      });
    } finally {
      setEnginePrecision('fp32');
    }
  });
});
