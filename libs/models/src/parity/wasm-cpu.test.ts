/** Same model code on every backend (ARCHITECTURE.md, Compute): wasm must match cpu numerically. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../backend/wasm-training-kernels.js';
import { registerTrainingGradients } from '../backend/batchnorm-grad.js';
import { buildClassifier, runClassifier } from '../classifier/model.js';
import { classifierLoss, type PatientSpan } from '../classifier/objective.js';
import { buildSegmenter } from '../segmenter/model.js';
import { pearsonLoss, supervisedLoss } from '../segmenter/losses.js';
import { tinyClassifier, tinySegmenter } from '../testing/tiny.js';

// The kernels and gradients selectBackend installs, so the parity covers what training runs.
beforeAll(async () => { registerWasmTrainingKernels(); registerTrainingGradients(); await tf.setBackend('cpu'); });

interface Result { outputs: Float32Array[]; loss: number; grads: Float32Array[] }

/** Runs `fn` on a backend with a freshly built model carrying the given weights. */
async function onBackend(backend: string, build: () => tf.LayersModel, weights: Float32Array[], fn: (m: tf.LayersModel) => { outputs: tf.Tensor[]; loss: () => tf.Scalar }): Promise<Result> {
  await tf.setBackend(backend);
  const model = build();
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)));
  const { outputs } = fn(model);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(() => fn(model).loss(), vars);
  return { outputs: outputs.map((o) => o.dataSync() as Float32Array), loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync() as Float32Array) };
}

function relDiff(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); }
  return num / Math.max(den, 1e-6);
}

async function compare(build: () => tf.LayersModel, fn: (m: tf.LayersModel) => { outputs: tf.Tensor[]; loss: () => tf.Scalar }) {
  await tf.setBackend('cpu');
  const weights = build().getWeights().map((w) => w.dataSync().slice() as Float32Array);
  const cpu = await onBackend('cpu', build, weights, fn);
  const wasm = await onBackend('wasm', build, weights, fn);
  cpu.outputs.forEach((o, i) => expect(relDiff(wasm.outputs[i], o)).toBeLessThan(1e-4));
  expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
  expect(cpu.grads.length).toBeGreaterThan(10);
  // Float32 summation order differs between backends; batch norm over few values at the deepest
  // (1×1) maps amplifies it, so gradients get a looser bound than forward values (a wrong kernel
  // gives O(1) differences).
  cpu.grads.forEach((g, i) => expect(relDiff(wasm.grads[i], g)).toBeLessThan(1e-2));
}

const seeded = (shape: number[], seed: number) => Float32Array.from(tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync());

describe('wasm vs cpu parity', () => {
  it('classifier (SIM+NCM): forward outputs, loss and every gradient', async () => {
    const xs = seeded([6, 32, 32, 1], 11);
    const spans: PatientSpan[] = [{ start: 0, count: 4, label: [0, 1] }, { start: 4, count: 2, label: [1, 0] }];
    let cfg = buildClassifier(tinyClassifier({ dropout: 0, sectionLength: 2, k: 2 })).config;
    await compare(() => { const b = buildClassifier(tinyClassifier({ dropout: 0, sectionLength: 2, k: 2 }), { seed: 5 }); cfg = b.config; return b.model; }, (m) => {
      const x = tf.tensor4d(xs, [6, 32, 32, 1]);
      const out = runClassifier(m, x, false);
      return { outputs: [out.cam, out.noise], loss: () => classifierLoss(m, runClassifier(m, x, true), spans, cfg) };
    });
  });

  it.each(['subpixel', 'unet'] as const)('segmenter (%s decoder, L_S + β L_T): forward outputs, loss and every gradient', async (decoder) => {
    const xs = seeded([4, 32, 32, 1], 12);
    const labels = Int32Array.from({ length: 4 * 32 * 32 }, (_, i) => (i * 7) % 5);
    await compare(() => buildSegmenter(tinySegmenter({ decoder }), { seed: 6 }).model, (m) => {
      const x = tf.tensor4d(xs, [4, 32, 32, 1]);
      const y = tf.tensor3d(labels, [4, 32, 32], 'int32');
      return { outputs: [m.predict(x) as tf.Tensor], loss: () => {
        const logits = m.apply(x, { training: true }) as tf.Tensor4D;
        return tf.add(supervisedLoss(logits, y), pearsonLoss(logits).mul(1e-2)) as tf.Scalar;
      } };
    });
  });
});
