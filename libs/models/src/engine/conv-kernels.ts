/**
 * Convolution and pooling kernels on oneDNN (NHWC activations, HWIO filters as tfjs stores
 * them). Dilated backward passes are not needed: tfjs refuses gradients of dilated convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import { output, registerNative, values, type KernelArgs } from './native-backend.js';

type ConvInfo = tf.backend_util.Conv2DInfo;

/**
 * The addon's geometry record (native/src/ops.h ConvGeom), or null when oneDNN cannot express
 * tfjs' padding (a right/bottom pad that would have to be negative).
 */
export function geometry(ci: ConvInfo, groups: number): number[] | null {
  const { top, left } = ci.padInfo;
  const extH = (ci.filterHeight - 1) * ci.dilationHeight + 1;
  const extW = (ci.filterWidth - 1) * ci.dilationWidth + 1;
  // oneDNN wants (in - ext + pl + pr) / stride + 1 == out in integer division.
  const fit = (inn: number, ext: number, pl: number, pr: number, s: number, out: number) =>
    Math.floor((inn - ext + pl + pr) / s) + 1 === out;
  const needB = (ci.outHeight - 1) * ci.strideHeight + extH - ci.inHeight - top;
  const needR = (ci.outWidth - 1) * ci.strideWidth + extW - ci.inWidth - left;
  const pb = fit(ci.inHeight, extH, top, ci.padInfo.bottom, ci.strideHeight, ci.outHeight) ? ci.padInfo.bottom : needB;
  const pr = fit(ci.inWidth, extW, left, ci.padInfo.right, ci.strideWidth, ci.outWidth) ? ci.padInfo.right : needR;
  if (pb < 0 || pr < 0 || top < 0 || left < 0) return null;
  return [
    ci.batchSize, ci.inHeight, ci.inWidth, ci.inChannels, ci.outHeight, ci.outWidth, ci.outChannels,
    ci.filterHeight, ci.filterWidth, ci.strideHeight, ci.strideWidth, ci.dilationHeight, ci.dilationWidth,
    top, left, pb, pr, groups,
  ];
}

const channelsLast = (dataFormat: unknown) => dataFormat === undefined || dataFormat === 'NHWC';

function convForward(args: KernelArgs, depthwise: boolean): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as tf.Conv2DAttrs & tf.FusedConv2DAttrs;
  if (!channelsLast(attrs.dataFormat) || inputs.preluActivationWeights) return null;
  const act = attrs.activation ?? 'linear';
  const actCode = act === 'linear' ? 0 : act === 'relu' ? 1 : act === 'relu6' ? 2 : -1;
  if (actCode < 0) return null;
  const x = values(backend, inputs.x), w = values(backend, inputs.filter);
  if (!x || !w) return null;
  const ci = tf.backend_util.computeConv2DInfo(
    inputs.x.shape as [number, number, number, number], inputs.filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise, 'channelsLast');
  const g = geometry(ci, depthwise ? ci.inChannels : 1);
  if (!g) return null;
  let bias: Float32Array | null = null;
  if (inputs.bias) {
    bias = values(backend, inputs.bias);
    // Only a per-channel bias maps onto the primitive; other broadcasts go to the cpu kernel.
    if (!bias || bias.length !== ci.outChannels || inputs.bias.shape.length !== 1) return null;
  }
  const out = output(backend, ci.outShape);
  args.backend.addon.conv(0, g, x, w, bias, out.data);
  if (actCode > 0) backend.addon.biasAct(out.data.length / ci.outChannels, ci.outChannels, out.data, null, actCode);
  return out.info;
}

function convBackpropInput(args: KernelArgs, depthwise: boolean): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };
  if (!channelsLast(attrs.dataFormat)) return null;
  const dy = values(backend, inputs.dy), w = values(backend, inputs.filter);
  if (!dy || !w) return null;
  const ci = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, inputs.filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise, 'channelsLast');
  const g = geometry(ci, depthwise ? ci.inChannels : 1);
  if (!g) return null;
  const out = output(backend, ci.inShape);
  backend.addon.conv(1, g, dy, w, null, out.data);
  return out.info;
}

function convBackpropFilter(args: KernelArgs, depthwise: boolean): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };
  if (!channelsLast(attrs.dataFormat)) return null;
  const x = values(backend, inputs.x), dy = values(backend, inputs.dy);
  if (!x || !dy) return null;
  const ci = tf.backend_util.computeConv2DInfo(
    inputs.x.shape as [number, number, number, number], attrs.filterShape,
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, depthwise, 'channelsLast');
  const g = geometry(ci, depthwise ? ci.inChannels : 1);
  if (!g) return null;
  const out = output(backend, attrs.filterShape);
  backend.addon.conv(2, g, x, dy, null, out.data);
  return out.info;
}

function poolInfo(xShape: number[], attrs: tf.MaxPoolAttrs): ConvInfo {
  return tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

function pool(args: KernelArgs, kind: 0 | 1): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const x = values(backend, inputs.x);
  if (!x) return null;
  const ci = poolInfo(inputs.x.shape, args.attrs as unknown as tf.MaxPoolAttrs);
  const g = geometry(ci, 1);
  if (!g) return null;
  const out = output(backend, ci.outShape);
  backend.addon.pool(0, g, kind, x, null, out.data);
  return out.info;
}

function poolGrad(args: KernelArgs, kind: 0 | 1): tf.TensorInfo | null {
  const { inputs, backend } = args;
  const x = values(backend, inputs.input), dy = values(backend, inputs.dy);
  if (!x || !dy) return null;
  const ci = poolInfo(inputs.input.shape, args.attrs as unknown as tf.MaxPoolAttrs);
  const p = ci.padInfo;
  // tfjs' own average-pool gradient divides by the full window even at padded borders, unlike its
  // forward pass; keep its numbers there (the cpu kernel) rather than silently differ.
  if (kind === 1 && (p.top || p.left || p.bottom || p.right)) return null;
  const g = geometry(ci, 1);
  if (!g) return null;
  const out = output(backend, inputs.input.shape);
  backend.addon.pool(1, g, kind, x, dy, out.data);
  return out.info;
}

export function registerConvKernels(): void {
  registerNative('Conv2D', (a) => convForward(a, false));
  registerNative('FusedConv2D', (a) => convForward(a, false));
  registerNative('DepthwiseConv2dNative', (a) => convForward(a, true));
  registerNative('FusedDepthwiseConv2D', (a) => convForward(a, true));
  registerNative('Conv2DBackpropInput', (a) => convBackpropInput(a, false));
  registerNative('DepthwiseConv2dNativeBackpropInput', (a) => convBackpropInput(a, true));
  registerNative('Conv2DBackpropFilter', (a) => convBackpropFilter(a, false));
  registerNative('DepthwiseConv2dNativeBackpropFilter', (a) => convBackpropFilter(a, true));
  registerNative('MaxPool', (a) => pool(a, 0));
  registerNative('AvgPool', (a) => pool(a, 1));
  registerNative('MaxPoolGrad', (a) => poolGrad(a, 0));
  registerNative('AvgPoolGrad', (a) => poolGrad(a, 1));
}
