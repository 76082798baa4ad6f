/**
 * The native training engine: a tfjs backend ('unbox-native') whose heavy kernels run on oneDNN
 * through the addon in libs/models/native. `registerEngine()` activates it when the addon is built
 * and loads; otherwise it returns null and the caller keeps the portable backends (wasm, cpu).
 * Registering also routes three tfjs code paths to fused kernels while this backend is active,
 * with the same arithmetic and state (each checked against tfjs on the cpu backend in the tests):
 * tf.layers.batchNormalization in training, the Adam optimizer's update, and Relu's gradient.
 * On any other backend those paths run tfjs' own code.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { loadAddon } from './native.js';
import { NATIVE_BACKEND, NativeBackend } from './native-backend.js';
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

/** Frees the engine's recycled output buffers (e.g. after training); returns the bytes released. */
export function releaseEngineBuffers(): number {
  const b = tf.engine().registryFactory[NATIVE_BACKEND] ? tf.engine().findBackend(NATIVE_BACKEND) : null;
  return b instanceof NativeBackend ? b.releaseBuffers() : 0;
}

export type EnginePrecision = 'fp32' | 'bf16';

/**
 * 'bf16' (opt-in, also UNBOX_ENGINE_PRECISION=bf16): convolutions take bf16 operands and
 * accumulate in f32; weights, optimizer state and every other op stay f32. Geometries the CPU
 * cannot run in bf16 natively stay f32.
 */
export function setEnginePrecision(p: EnginePrecision): void {
  if (p !== 'fp32' && p !== 'bf16') throw new Error(`engine precision must be fp32 or bf16, got ${String(p)}`);
  loadAddon().addon?.setBf16(p === 'bf16' ? 1 : 0);
}

export function enginePrecision(): EnginePrecision {
  return loadAddon().addon?.getBf16() ? 'bf16' : 'fp32';
}

export async function registerEngine(): Promise<{ backend: string; threads: number } | null> {
  const { addon } = loadAddon();
  if (!addon) return null;
  registerNativeBackend(addon);
  const threads = defaultThreads();
  addon.setThreads(threads);
  const precision = process.env.UNBOX_ENGINE_PRECISION;
  if (precision) setEnginePrecision(precision as EnginePrecision);
  if (!(await tf.setBackend(NATIVE_BACKEND))) return null;
  return { backend: NATIVE_BACKEND, threads };
}
export { BENCHNET, benchnet, trainStep, type BatchNormKind } from './benchnet.js';
