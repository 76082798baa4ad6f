/**
 * Training-mode batch norm as two native kernels: the forward computes the batch statistics and
 * normalises in two passes; the backward is the closed form
 *   dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)),  dγ = Σ dy·x̂,  dβ = Σ dy
 * instead of the ~40 full-size element-wise ops tfjs' composite gradient of moments + batchNorm
 * runs. Statistics are over every axis but the last (channels-last).
 */
import * as tf from '@tensorflow/tfjs';
import { output, registerNativeOnly, values, type KernelArgs, type NativeBackend } from './native-backend.js';

export const BN_TRAIN = 'UnboxBatchNormTrain';
export const BN_GRAD = 'UnboxBatchNormGrad';

function need(backend: NativeBackend, t: tf.TensorInfo | undefined, name: string): Float32Array {
  const v = values(backend, t);
  if (!v) throw new Error(`${BN_TRAIN}: ${name} must be a float32 tensor`);
  return v;
}

function channels(x: tf.TensorInfo, scale: tf.TensorInfo): number {
  const c = x.shape[x.shape.length - 1];
  if (x.shape.length < 2 || scale.shape.length !== 1 || scale.shape[0] !== c) {
    throw new Error(`${BN_TRAIN}: x [.., C] with scale [C] expected, got ${JSON.stringify(x.shape)} and ${JSON.stringify(scale.shape)}`);
  }
  return c;
}

function train({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const c = channels(inputs.x, inputs.scale);
  const x = need(backend, inputs.x, 'x'), scale = need(backend, inputs.scale, 'scale'), offset = need(backend, inputs.offset, 'offset');
  const rows = x.length / c;
  const eps = attrs?.varianceEpsilon as number;
  const mean = output(backend, [c]), variance = output(backend, [c]), y = output(backend, inputs.x.shape);
  backend.addon.bnStats(rows, c, x, mean.data, variance.data);
  backend.addon.bnApply(rows, c, x, mean.data, 1, variance.data, 1, scale, 1, offset, 1, eps, y.data);
  return [y.info, mean.info, variance.info];
}

function grad({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const c = channels(inputs.x, inputs.scale);
  const x = need(backend, inputs.x, 'x'), dy = need(backend, inputs.dy, 'dy');
  const mean = need(backend, inputs.mean, 'mean'), variance = need(backend, inputs.variance, 'variance');
  const scale = need(backend, inputs.scale, 'scale');
  const eps = attrs?.varianceEpsilon as number;
  const dx = output(backend, inputs.x.shape), dscale = output(backend, [c]), doffset = output(backend, [c]);
  backend.addon.bnBwd(x.length / c, c, x, dy, mean, variance, scale, eps, dx.data, dscale.data, doffset.data);
  return [dx.info, dscale.info, doffset.info];
}

let gradientRegistered = false;

export function registerBatchNormKernels(): void {
  registerNativeOnly(BN_TRAIN, train);
  registerNativeOnly(BN_GRAD, grad);
  if (gradientRegistered) return;
  tf.registerGradient({
    kernelName: BN_TRAIN,
    inputsToSave: ['x', 'scale'],
    outputsToSave: [false, true, true],
    gradFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      // The mean/variance outputs feed the moving averages only; they carry no gradient.
      const dy = Array.isArray(dys) ? dys[0] : dys;
      const [x, scale, mean, variance] = saved;
      const [dx, dscale, doffset] = tf.engine().runKernel(BN_GRAD, { x, dy, mean, variance, scale }, attrs) as tf.Tensor[];
      return { x: () => dx, scale: () => dscale, offset: () => doffset };
    },
  });
  gradientRegistered = true;
}
