/** Batched matrix products on oneDNN's sgemm (dense layers, attention-free heads). */
import * as tf from '@tensorflow/tfjs';
import { output, registerNative, values, type KernelArgs } from './native-backend.js';

function matMul(args: KernelArgs): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as tf.BatchMatMulAttrs & Partial<tf._FusedMatMulAttrs>;
  if (inputs.preluActivationWeights) return null;
  const act = attrs.activation ?? 'linear';
  const actCode = act === 'linear' ? 0 : act === 'relu' ? 1 : act === 'relu6' ? 2 : -1;
  if (actCode < 0) return null;
  const a = values(backend, inputs.a), b = values(backend, inputs.b);
  if (!a || !b) return null;
  const as = inputs.a.shape, bs = inputs.b.shape;
  if (as.length < 2 || bs.length < 2) return null;
  const ta = !!attrs.transposeA, tb = !!attrs.transposeB;
  const m = ta ? as[as.length - 1] : as[as.length - 2];
  const k = ta ? as[as.length - 2] : as[as.length - 1];
  const k2 = tb ? bs[bs.length - 1] : bs[bs.length - 2];
  const n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
  if (k !== k2) return null; // the cpu kernel reports the shape error
  const batchA = as.slice(0, -2), batchB = bs.slice(0, -2);
  const na = batchA.reduce((x, y) => x * y, 1), nb = batchB.reduce((x, y) => x * y, 1);
  let batchShape: number[];
  if (na === nb && tf.util.arraysEqual(batchA, batchB)) batchShape = batchA;
  else if (na === 1) batchShape = batchB.length ? batchB : batchA;
  else if (nb === 1) batchShape = batchA.length ? batchA : batchB;
  else return null;
  const batch = Math.max(na, nb);
  let bias: Float32Array | null = null;
  if (inputs.bias) {
    bias = values(backend, inputs.bias);
    if (!bias || bias.length !== n || inputs.bias.shape.length !== 1) return null;
  }
  const out = output(backend, [...batchShape, m, n]);
  if (out.data.length === 0) return out.info;
  if (k === 0) {
    out.data.fill(0);
    return out.info;
  }
  backend.addon.matmul(batch, m, n, k, ta ? 1 : 0, tb ? 1 : 0, a, na === 1 ? 0 : m * k, b, nb === 1 ? 0 : k * n, out.data);
  if (bias || actCode) backend.addon.biasAct(batch * m, n, out.data, bias, actCode);
  return out.info;
}

export function registerMatMulKernels(): void {
  registerNative('BatchMatMul', matMul);
  registerNative('_FusedMatMul', matMul);
}
