/**
 * Conv2DBackpropInput for the tfjs 4.22 wasm backend, replacing its naive loop (~1 GFLOP/s,
 * shared notes) by XNNPACK's forward convolution: the input gradient of a stride-s convolution
 * is a stride-1 'valid' convolution of dY — dilated by s (s−1 zeros between entries) and padded
 * by (K−1−pad_before) before and whatever makes the output H×W after — with the filter rotated
 * by 180° and its in/out channels swapped.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';
import { WasmKernelScope, type WasmBackend } from './wasm-kernel-scope.js';

const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const k = new WasmKernelScope(backend as WasmBackend, 'Conv2DBackpropInput');
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  // dY dilated by the stride: [N, Ho, 1, Wo, 1, C] padded to [N, Ho, sh, Wo, sw, C], cropped to (Ho−1)·s + 1.
  let d = dy;
  const hd = (outHeight - 1) * sh + 1;
  const wd = (outWidth - 1) * sw + 1;
  if (sh > 1 || sw > 1) {
    const r = k.keep(k.run('Reshape', { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] }));
    const p = k.keep(k.run('PadV2', { x: r }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }));
    const r2 = k.keep(k.run('Reshape', { x: p }, { shape: [batchSize, outHeight * sh, outWidth * sw, outChannels] }));
    d = k.keep(k.run('Slice', { x: r2 }, { begin: [0, 0, 0, 0], size: [batchSize, hd, wd, outChannels] }));
  }
  const pt = kh - 1 - info.padInfo.top;
  const pl = kw - 1 - info.padInfo.left;
  const pb = inHeight + kh - 1 - hd - pt;
  const pr = inWidth + kw - 1 - wd - pl;
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) throw new Error(`Conv2DBackpropInput (wasm): unsupported padding ${JSON.stringify(info.padInfo)} for a ${kh}×${kw} filter`);
  if (pt || pl || pb || pr) d = k.keep(k.run('PadV2', { x: d }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 }));
  const rot = k.keep(k.run('Reverse', { x: filter }, { dims: [0, 1] }));
  const wT = k.keep(k.run('Transpose', { x: rot }, { perm: [0, 1, 3, 2] })); // [KH, KW, Co, Ci]
  const out = k.run('Conv2D', { x: d, filter: wT }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });
  return k.done(out);
};

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm,
};
