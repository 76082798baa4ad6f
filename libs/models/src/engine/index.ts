/**
 * The native training engine: a tfjs backend whose heavy kernels run on oneDNN through the addon
 * in libs/models/native. `registerEngine()` activates it when the addon is built and loads;
 * otherwise it returns null and the caller keeps the portable backends (wasm, cpu).
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadAddon } from './native.js';
import { NATIVE_BACKEND } from './native-backend.js';
import { registerNativeBackend } from './register.js';

export { NATIVE_BACKEND } from './native-backend.js';
export { batchNormTrain, FusedBatchNormalization, fusedBatchNormalization } from './batchnorm.js';

/** Threads from UNBOX_THREADS, else every core the process may use. */
export function defaultThreads(): number {
  const env = Number(process.env.UNBOX_THREADS);
  return Number.isInteger(env) && env > 0 ? env : availableParallelism();
}

/** Why the engine is or is not available ("oneDNN 2.6.3", or the load failure). */
export function engineStatus(): { available: boolean; detail: string } {
  const { addon, reason } = loadAddon();
  return { available: addon !== null, detail: reason };
}

export function setEngineThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`engine threads must be a positive integer, got ${n}`);
  const { addon } = loadAddon();
  addon?.setThreads(n);
}

export async function registerEngine(): Promise<{ backend: string; threads: number } | null> {
  const { addon } = loadAddon();
  if (!addon) return null;
  registerNativeBackend(addon);
  const threads = defaultThreads();
  addon.setThreads(threads);
  if (!(await tf.setBackend(NATIVE_BACKEND))) return null;
  return { backend: NATIVE_BACKEND, threads };
}
export { BENCHNET, benchnet, trainStep, type BatchNormKind } from './benchnet.js';
