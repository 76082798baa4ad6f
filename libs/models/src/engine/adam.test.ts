import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NATIVE_BACKEND } from './native-backend.js';
import { closeness, engineForTests, randomArray, rng } from './testing.js';

const engine = await engineForTests();

/** Three Adam steps on two variables (the second one without a gradient at step 2); final values, moments, state names. */
async function run(backend: string): Promise<{ values: Float32Array[]; names: string[] }> {
  await tf.setBackend(backend);
  const r = rng(70);
  const a = tf.variable(tf.tensor2d(randomArray(6, r), [2, 3]), true, `adam_a_${backend}`);
  const b = tf.variable(tf.tensor1d(randomArray(70000, r)), true, `adam_b_${backend}`);
  const opt = tf.train.adam(0.01, 0.8, 0.95, 1e-6) as tf.AdamOptimizer;
  for (let step = 0; step < 3; step++) {
    const grads: tf.NamedTensorMap = { [a.name]: tf.tensor2d(randomArray(6, r), [2, 3]) };
    if (step !== 1) grads[b.name] = tf.tensor1d(randomArray(70000, r));
    opt.applyGradients(grads as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    tf.dispose(Object.values(grads));
  }
  const weights = await opt.getWeights();
  const out = { values: [a, b, ...weights.slice(1).map((w) => w.tensor)].map((t) => t.dataSync().slice() as Float32Array), names: weights.map((w) => w.name.replace(`_${backend}`, '')) };
  opt.dispose();
  tf.dispose([a, b]);
  return out;
}

describe.skipIf(!engine.available)('Adam on the native engine', () => {
  it('updates weights and moments as tfjs\' AdamOptimizer on the cpu, with the same saved state', async () => {
    const want = await run('cpu');
    const got = await run(NATIVE_BACKEND);
    expect(got.names).toEqual(want.names);
    got.values.forEach((v, k) => expect(closeness(v, want.values[k], 1e-5, 1e-6), `tensor ${k}`).toBeLessThan(1));
    const prof = await tf.profile(() => {
      const v = tf.variable(tf.zeros([4]));
      const opt = tf.train.adam(0.1) as tf.AdamOptimizer;
      opt.applyGradients({ [v.name]: tf.ones([4]) } as unknown as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    });
    expect(prof.kernelNames).toContain('UnboxAdam');
  });
});
