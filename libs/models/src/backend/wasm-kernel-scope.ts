/**
 * Composing a wasm kernel out of other registered wasm kernels: `run` calls one by name, `keep`
 * marks an intermediate, and `done` frees every intermediate and returns the result (tfjs's
 * engine only tracks the kernel's own output, so intermediates must be disposed here).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

export type WasmBackend = Parameters<KernelFunc>[0]['backend'] & { disposeData(id: object): boolean };

export class WasmKernelScope {
  private readonly temps: TensorInfo[] = [];

  /** `owner` names the kernel being built, for the error when a needed kernel is missing. */
  constructor(private readonly backend: WasmBackend, private readonly owner: string) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`wasm backend lacks kernel ${name}, needed by ${this.owner}`);
    return k.kernelFunc({ inputs, backend: this.backend, attrs: attrs as never }) as TensorInfo;
  }

  keep(t: TensorInfo): TensorInfo {
    this.temps.push(t);
    return t;
  }

  done(out: TensorInfo): TensorInfo {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    return out;
  }
}
