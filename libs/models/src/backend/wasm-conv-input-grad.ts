/**
 * Conv2DBackpropInput for the tfjs 4.22 wasm backend, replacing its naive loop (~1 GFLOP/s,
 * shared notes) by XNNPACK's forward convolution: the input gradient of a stride-s convolution
 * is a stride-1 'valid' convolution of dY — dilated by s (s−1 zeros between entries) and padded
 * by (K−1−pad_before) before and whatever makes the output H×W after — with the filter rotated
 * by 180° and its in/out channels swapped.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, TensorInfo, Conv2DBackpropInputAttrs } from '@tensorflow/tfjs';

type Backend = Parameters<KernelFunc>[0]['backend'] & { disposeData(id: object): boolean };

function call(name: string, backend: Backend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown> = {}): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm backend lacks kernel ${name}, needed by Conv2DBackpropInput`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as never }) as TensorInfo;
}

const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as Backend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  // dY dilated by the stride: [N, Ho, 1, Wo, 1, C] padded to [N, Ho, sh, Wo, sw, C], cropped to (Ho−1)·s + 1.
  let d = dy;
  const hd = (outHeight - 1) * sh + 1;
  const wd = (outWidth - 1) * sw + 1;
  if (sh > 1 || sw > 1) {
    const r = keep(call('Reshape', b, { x: dy }, { shape: [batchSize, outHeight, 1, outWidth, 1, outChannels] }));
    const p = keep(call('PadV2', b, { x: r }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 }));
    const r2 = keep(call('Reshape', b, { x: p }, { shape: [batchSize, outHeight * sh, outWidth * sw, outChannels] }));
    d = keep(call('Slice', b, { x: r2 }, { begin: [0, 0, 0, 0], size: [batchSize, hd, wd, outChannels] }));
  }
  const pt = kh - 1 - info.padInfo.top;
  const pl = kw - 1 - info.padInfo.left;
  const pb = inHeight + kh - 1 - hd - pt;
  const pr = inWidth + kw - 1 - wd - pl;
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0) throw new Error(`Conv2DBackpropInput (wasm): unsupported padding ${JSON.stringify(info.padInfo)} for a ${kh}×${kw} filter`);
  if (pt || pl || pb || pr) d = keep(call('PadV2', b, { x: d }, { paddings: [[0, 0], [pt, pb], [pl, pr], [0, 0]], constantValue: 0 }));
  const rot = keep(call('Reverse', b, { x: filter }, { dims: [0, 1] }));
  const wT = keep(call('Transpose', b, { x: rot }, { perm: [0, 1, 3, 2] })); // [KH, KW, Co, Ci]
  const out = call('Conv2D', b, { x: d, filter: wT }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });
  for (const t of temps) b.disposeData(t.dataId);
  return out;
};

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm,
};
