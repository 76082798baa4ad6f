export { selectBackend, backendInfo, engineModuleUrl, BACKEND_CHOICES, type BackendInfo, type BackendChoice } from './select.js';
export { registerWasmTrainingKernels } from './wasm-training-kernels.js';
export { versions, type Versions } from './versions.js';
export { registerTrainingGradients } from './batchnorm-grad.js';
