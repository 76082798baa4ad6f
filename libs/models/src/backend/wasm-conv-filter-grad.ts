/**
 * Conv2DBackpropFilter for the tfjs 4.22 wasm backend, which registers none (training a conv
 * net on wasm fails with "kernel not registered"). Built from kernels wasm does have, so the
 * heavy part runs in XNNPACK: for each filter tap (kh, kw), dW[kh, kw] = X_tap^T · dY, where
 * X_tap is the padded input sampled at that tap with the convolution's stride (StridedSlice),
 * flattened to [N·Ho·Wo, Ci], and dY is flattened to [N·Ho·Wo, Co] (BatchMatMul).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';

type Backend = Parameters<KernelFunc>[0]['backend'] & { disposeData(id: object): boolean };

function call(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend lacks kernel ${name}, needed by Conv2DBackpropFilter`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as never }) as TensorInfo;
}

const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, outHeight, outWidth, inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left, bottom, right } = info.padInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  const xp = top || left || bottom || right
    ? keep(call('PadV2', b, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
    : x;
  const rows = batchSize * outHeight * outWidth;
  const dy2 = keep(call('Reshape', b, { x: dy }, { shape: [1, rows, outChannels] }));
  const taps: TensorInfo[] = [];
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      const xs = keep(call('StridedSlice', b, { x: xp }, {
        begin: [0, kh, kw, 0],
        end: [batchSize, kh + (outHeight - 1) * strideHeight + 1, kw + (outWidth - 1) * strideWidth + 1, inChannels],
        strides: [1, strideHeight, strideWidth, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      }));
      const x2 = keep(call('Reshape', b, { x: xs }, { shape: [1, rows, inChannels] }));
      taps.push(keep(call('BatchMatMul', b, { a: x2, b: dy2 }, { transposeA: true, transposeB: false })));
    }
  }
  const stacked = taps.length === 1 ? taps[0] : keep(call('Concat', b, taps as never, { axis: 0 }));
  const out = call('Reshape', b, { x: stacked }, { shape: filterShape });
  // Reshape shares the buffer but counts a reference (wasm incRef), so every temporary can go.
  for (const t of temps) b.disposeData(t.dataId);
  return out;
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};

/** Registers the project's training kernels that tfjs-backend-wasm 4.22 lacks (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.registerKernel(conv2DBackpropFilterWasmConfig);
}
