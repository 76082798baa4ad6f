/** Local training and evaluation from site manifests (used by `unbox-site train|eval` and the experiments). */
export * from './config.js';
export * from './manifests.js';
export * from './classify-data.js';
export * from './segment-data.js';
export * from './truth.js';
export * from './evaluate.js';
export * from './backend.js';
export * from './json-file.js';
export { runTraining, type TrainRunOptions, type TrainRunResult } from './train-run.js';
export { runEvaluation, type EvalRunOptions } from './eval-run.js';
export { readSavedState, checkpointDirOf } from './checkpoint-state.js';
