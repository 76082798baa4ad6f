export { selectBackend, backendInfo, engineModuleUrl, BACKEND_CHOICES, type BackendInfo, type BackendChoice } from './select.js';
export { registerWasmTrainingKernels } from './wasm-conv-filter-grad.js';
export { versions, type Versions } from './versions.js';
