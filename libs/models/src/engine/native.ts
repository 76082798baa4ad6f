/**
 * Loads the oneDNN addon (libs/models/native, built by the package's install script). Returns
 * null, with the reason, where it was not built (no oneDNN on the machine) or cannot load.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeAddon {
  setThreads(n: number): void;
  /** bf16 convolution operands (f32 accumulation and results) where the CPU has AMX/AVX512-BF16. */
  setBf16(on: number): void;
  getBf16(): boolean;
  getThreads(): number;
  info(): string;
  /** kind 0 forward (x, w, bias|null, y); 1 backward data (dy, w, null, dx); 2 backward weights (x, dy, null, dw). */
  conv(kind: 0 | 1 | 2, geom: number[], a: Float32Array, b: Float32Array, c: Float32Array | null, out: Float32Array): void;
  matmul(batch: number, m: number, n: number, k: number, ta: number, tb: number, a: Float32Array, strideA: number, b: Float32Array, strideB: number, c: Float32Array): void;
  /** backward 0/1; kind 0 max, 1 average. */
  pool(backward: 0 | 1, geom: number[], kind: 0 | 1, x: Float32Array, dy: Float32Array | null, out: Float32Array): void;
  binary(op: number, shape: number[], a: Float32Array, sa: number[], b: Float32Array, sb: number[], out: Float32Array): void;
  unary(op: number, x: Float32Array, y: Float32Array, alpha: number): void;
  addN(xs: Float32Array[], y: Float32Array, n: number): void;
  biasAct(rows: number, c: number, y: Float32Array, bias: Float32Array | null, act: number): void;
  /** kind 0 sum, 1 mean, 2 max over the middle axis of [outer, red, inner]. */
  reduce(kind: 0 | 1 | 2, outer: number, red: number, inner: number, x: Float32Array, y: Float32Array): void;
  tile(inShape: number[], reps: number[], x: Float32Array, y: Float32Array): void;
  transpose(inShape: number[], perm: number[], x: Float32Array, y: Float32Array): void;
  slice(inShape: number[], begin: number[], size: number[], x: Float32Array, y: Float32Array): void;
  concat(xs: Float32Array[], outer: number, inners: number[], y: Float32Array): void;
  adam(value: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, valueOut: Float32Array, mOut: Float32Array, vOut: Float32Array, lr: number, b1: number, b2: number, eps: number, c1: number, c2: number): void;
  bnApply(rows: number, c: number, x: Float32Array, mean: Float32Array, ms: number, v: Float32Array, vs: number, gamma: Float32Array | null, gs: number, beta: Float32Array | null, bs: number, eps: number, y: Float32Array): void;
  bnStats(rows: number, c: number, x: Float32Array, mean: Float32Array, v: Float32Array): void;
  bnBwd(rows: number, c: number, x: Float32Array, dy: Float32Array, mean: Float32Array, v: Float32Array, gamma: Float32Array | null, eps: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void;
}

/** Codes shared with native/src/ops.h (BinOp, UnOp). */
export const BIN = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, sqdiff: 6, reluGrad: 7 } as const;
export const UN = { relu: 0, step: 1, neg: 2, square: 3, sqrt: 4, rsqrt: 5, exp: 6, log: 7, sigmoid: 8, tanh: 9, abs: 10, relu6: 11, recip: 12 } as const;

export const ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/unbox_engine.node', import.meta.url));

let cached: { addon: NativeAddon | null; reason: string } | undefined;

/** UNBOX_ENGINE_ADDON points at another build of the addon (or at nothing, to test the fallback). */
export function loadAddon(): { addon: NativeAddon | null; reason: string } {
  if (cached) return cached;
  const path = process.env.UNBOX_ENGINE_ADDON || ADDON_PATH;
  if (!existsSync(path)) {
    cached = { addon: null, reason: `${path} not built (needs libdnnl-dev, then npm install)` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(path) as NativeAddon;
      cached = { addon, reason: addon.info() };
    } catch (e) {
      cached = { addon: null, reason: `${path} failed to load: ${(e as Error).message}` };
    }
  }
  return cached;
}
