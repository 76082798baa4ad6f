/**
 * Test support: run the same computation on the reference cpu backend and on the native engine
 * and compare. Seeded inputs so a failure reproduces.
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { engineStatus, registerEngine } from './index.js';
import { NATIVE_BACKEND } from './native-backend.js';

/**
 * Whether the native tests run. In CI (.ci/run installs libdnnl-dev) a missing engine is a
 * failure, not a skip: `engineMissingInCi` is then the reason.
 */
export async function engineForTests(): Promise<{ available: boolean; engineMissingInCi: string | null }> {
  const got = await registerEngine();
  const ci = process.env.CI === 'true' && existsSync('/usr/include/oneapi/dnnl/dnnl.hpp');
  return { available: got !== null, engineMissingInCi: ci && !got ? engineStatus().detail : null };
}

export { rng } from '../train/random.js';

/** Uniform values in [-1, 1). */
export function randomArray(n: number, r: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
  return a;
}

/** Runs f on 'cpu' then on the native backend; returns copies of every output's values. */
export async function onBoth(f: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; native: Float32Array[]; shapes: number[][] }> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const out = f();
      const list = Array.isArray(out) ? out : [out];
      return { values: list.map((t) => Float32Array.from(t.dataSync())), shapes: list.map((t) => t.shape) };
    });
  };
  const cpu = await run('cpu');
  const native = await run(NATIVE_BACKEND);
  return { cpu: cpu.values, native: native.values, shapes: native.shapes };
}

/** Largest |a - b| / (atol + rtol·|b|); ≤ 1 means close. Lengths must match. */
export function closeness(a: Float32Array, b: Float32Array, rtol = 1e-4, atol = 1e-5): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}
