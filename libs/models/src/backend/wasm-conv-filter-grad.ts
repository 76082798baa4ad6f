/**
 * Conv2DBackpropFilter for the tfjs 4.22 wasm backend, which registers none (training a conv
 * net on wasm fails with "kernel not registered"). The weight gradient is itself a convolution,
 *   dW[kh, kw, ci, co] = Σ_{n,h,w} Xpad[n, kh + h·s, kw + w·s, ci] · dY[n, h, w, co],
 * i.e. a stride-1 'valid' convolution of Xpad viewed as [Ci, H, W, N] (channels as batch, batch as
 * channels) with dY viewed as a [Ho, Wo, N, Co] filter dilated by the stride s; the result
 * [Ci, KH, KW, Co] is transposed to [KH, KW, Ci, Co]. So it runs in XNNPACK's forward
 * convolution (measured 10–25× faster than a per-tap StridedSlice + BatchMatMul version).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs';
import { WasmKernelScope, type WasmBackend } from './wasm-kernel-scope.js';

const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const k = new WasmKernelScope(backend as WasmBackend, 'Conv2DBackpropFilter');
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, outHeight, outWidth, inChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left, bottom, right } = info.padInfo;
  // Pad as the forward pass did, then crop to the rows/columns the last output position reads.
  const needH = (outHeight - 1) * strideHeight + filterHeight;
  const needW = (outWidth - 1) * strideWidth + filterWidth;
  let xp = x;
  if (top || left || bottom || right) xp = k.keep(k.run('PadV2', { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }));
  if (xp.shape[1] !== needH || xp.shape[2] !== needW) xp = k.keep(k.run('Slice', { x: xp }, { begin: [0, 0, 0, 0], size: [batchSize, needH, needW, inChannels] }));
  const xt = k.keep(k.run('Transpose', { x: xp }, { perm: [3, 1, 2, 0] })); // [Ci, H, W, N]
  const f = k.keep(k.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] })); // [Ho, Wo, N, Co]
  const conv = k.keep(k.run('Conv2D', { x: xt, filter: f }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [strideHeight, strideWidth], dimRoundingMode: undefined }));
  const out = k.run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] }); // [KH, KW, Ci, Co]
  return k.done(out);
};

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};


