/**
 * The project's training kernels for tfjs-backend-wasm 4.22: Conv2DBackpropFilter (absent there)
 * and Conv2DBackpropInput (present but a naive loop), both rewritten as XNNPACK convolutions.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterWasmConfig } from './wasm-conv-filter-grad.js';
import { conv2DBackpropInputWasmConfig } from './wasm-conv-input-grad.js';

let registered = false;

/** Idempotent; replaces wasm's own Conv2DBackpropInput. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const cfg of [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig]) {
    if (tf.getKernel(cfg.kernelName, 'wasm')) tf.unregisterKernel(cfg.kernelName, 'wasm');
    tf.registerKernel(cfg);
  }
  registered = true;
}
