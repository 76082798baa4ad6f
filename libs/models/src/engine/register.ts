/** Registers the native backend and its kernels with tfjs (once per process). */
import * as tf from '@tensorflow/tfjs';
import { accelerateAdam } from './adam.js';
import { accelerateLayersBatchNorm } from './batchnorm.js';
import { registerBatchNormKernels } from './batchnorm-kernels.js';
import { registerConvKernels } from './conv-kernels.js';
import { registerElementwiseKernels } from './elementwise-kernels.js';
import { registerMatMulKernels } from './matmul-kernels.js';
import type { NativeAddon } from './native.js';
import { NATIVE_BACKEND, NativeBackend, copyCpuKernels } from './native-backend.js';

let registered = false;

export function registerNativeBackend(addon: NativeAddon): void {
  if (registered) return;
  // Priority 0: never picked implicitly; registerEngine() selects it on purpose.
  tf.registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 0);
  registerConvKernels();
  registerMatMulKernels();
  registerElementwiseKernels();
  registerBatchNormKernels();
  copyCpuKernels();
  accelerateLayersBatchNorm();
  accelerateAdam();
  registered = true;
}
