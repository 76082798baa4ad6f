/**
 * The 'unbox-native' tfjs backend: the cpu backend's storage and every cpu kernel, with the heavy
 * kernels (convolutions, matmul, pooling, batch norm, element-wise, reductions, tile, transpose)
 * replaced by the oneDNN addon. float32 only; anything else falls back to the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from './native.js';

export const NATIVE_BACKEND = 'unbox-native';

/** Bytes of released buffers kept for reuse, at most. */
const POOL_LIMIT_BYTES = 1 << 30;

/**
 * Output buffers are recycled: a fresh multi-megabyte Float32Array costs more in page faults
 * than the element-wise kernel that fills it. Only buffers this backend allocated and that never
 * left it (no readSync/read, never an input of a cpu kernel that might alias it) are reused.
 */
export class NativeBackend extends MathBackendCPU {
  private readonly free = new Map<number, Float32Array[]>();
  private readonly owned = new WeakSet<Float32Array>();
  private readonly exposed = new WeakSet<Float32Array>();
  private pooledBytes = 0;

  constructor(readonly addon: NativeAddon) {
    super();
  }

  /** A float32 buffer of n elements; its contents are garbage: kernels overwrite all of it. */
  alloc(n: number): Float32Array {
    const list = this.free.get(n);
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= reused.byteLength;
      return reused;
    }
    const fresh = new Float32Array(n);
    this.owned.add(fresh);
    return fresh;
  }

  /** Marks t's buffer as visible outside the backend: it will never be recycled. */
  expose(t: tf.TensorInfo): void {
    const v = this.data.get(t.dataId)?.values;
    if (v instanceof Float32Array) this.exposed.add(v);
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const v = this.data.get(dataId)?.values;
    const released = super.disposeData(dataId, force);
    if (released && v instanceof Float32Array && v.length > 0 && this.owned.has(v) && !this.exposed.has(v)
      && this.pooledBytes + v.byteLength <= POOL_LIMIT_BYTES) {
      const list = this.free.get(v.length);
      if (list) list.push(v);
      else this.free.set(v.length, [v]);
      this.pooledBytes += v.byteLength;
    }
    return released;
  }

  /** Drops the recycled buffers (up to POOL_LIMIT_BYTES kept after training) for the GC. */
  releaseBuffers(): number {
    const bytes = this.pooledBytes;
    this.free.clear();
    this.pooledBytes = 0;
    return bytes;
  }

  override dispose(): void {
    this.releaseBuffers();
    super.dispose();
  }

  override readSync(dataId: tf.DataId): tf.BackendValues {
    const v = super.readSync(dataId);
    if (v instanceof Float32Array) this.exposed.add(v);
    return v;
  }

  override async read(dataId: tf.DataId): Promise<tf.BackendValues> {
    const v = await super.read(dataId);
    if (v instanceof Float32Array) this.exposed.add(v);
    return v;
  }
}

export type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: NativeBackend;
  attrs?: tf.NamedAttrMap;
};
export type Fallback = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

/** The float32 values stored for t, or null when t is not plain float32 data. */
export function values(backend: NativeBackend, t: tf.TensorInfo | undefined | null): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const v = backend.data.get(t.dataId)?.values;
  return v instanceof Float32Array ? v : null;
}

export function output(backend: NativeBackend, shape: number[]): { info: tf.TensorInfo; data: Float32Array } {
  const data = backend.alloc(shape.reduce((a, b) => a * b, 1));
  return { info: backend.makeTensorInfo(shape, 'float32', data), data };
}

/** A native kernel returns null to hand the call to the cpu kernel (unsupported case). */
export type NativeKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[] | null;

/** How often each natively implemented kernel handed a call to the cpu kernel (tests, tuning). */
export const fallbackCounts = new Map<string, number>();

/** Registers `impl` for the native backend, falling back to the cpu kernel of the same name. */
/** UNBOX_ENGINE_CPU_KERNELS=Name,Name keeps those kernels on the cpu implementation (diagnosis). */
const keptOnCpu = new Set((process.env.UNBOX_ENGINE_CPU_KERNELS ?? '').split(',').map((k) => k.trim()).filter(Boolean));

export function registerNative(kernelName: string, impl: NativeKernel): void {
  if (keptOnCpu.has(kernelName)) return;
  const cpu = tf.getKernel(kernelName, 'cpu');
  if (!cpu) throw new Error(`no cpu kernel ${kernelName} to fall back on`);
  const fallback = exposingInputs(kernelName, cpu.kernelFunc as unknown as Fallback);
  tf.registerKernel({
    kernelName,
    backendName: NATIVE_BACKEND,
    kernelFunc: ((args: KernelArgs) => {
      const out = impl(args);
      if (out) return out;
      fallbackCounts.set(kernelName, (fallbackCounts.get(kernelName) ?? 0) + 1);
      return fallback(args);
    }) as unknown as tf.KernelFunc,
  });
}

/** cpu kernels that pass data on by reference count, never by sharing a buffer. */
const NON_ALIASING = new Set(['Reshape', 'Identity', 'Cast']);

/** A cpu kernel may keep views of its inputs (Slice returns subarrays): never recycle them. */
function exposingInputs(kernelName: string, f: Fallback): Fallback {
  if (NON_ALIASING.has(kernelName)) return f;
  return (args) => {
    for (const t of Object.values(args.inputs)) if (t) args.backend.expose(t);
    return f(args);
  };
}

/** Registers a kernel that exists only on the native backend (no cpu twin). */
export function registerNativeOnly(kernelName: string, impl: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  tf.registerKernel({ kernelName, backendName: NATIVE_BACKEND, kernelFunc: impl as unknown as tf.KernelFunc });
}

/** Every cpu kernel not replaced natively is shared as is: the storage is the same. */
export function copyCpuKernels(): void {
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (!tf.getKernel(k.kernelName, NATIVE_BACKEND)) {
      tf.registerKernel({ ...k, backendName: NATIVE_BACKEND, kernelFunc: exposingInputs(k.kernelName, k.kernelFunc as unknown as Fallback) as unknown as tf.KernelFunc });
    }
  }
}

/**
 * The class tfjs registered for serialization under `className`: how the engine reaches
 * AdamOptimizer and tfjs-layers' BatchNormalization without instantiating them (a probe instance
 * would advance tfjs' automatic layer and variable names).
 */
export function registeredClass(className: string): { prototype: object } {
  const map = (tf.serialization.SerializationMap.getMap() as unknown as { classNameMap: Record<string, [{ prototype: object }, unknown] | undefined> }).classNameMap;
  const entry = map[className];
  if (!entry) throw new Error(`tfjs has no serializable class ${className}`);
  return entry[0];
}
