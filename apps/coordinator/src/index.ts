export { createCoordinator, type RunningCoordinator } from './app/create-coordinator.js';
export { defaultOptions, type CoordinatorOptions } from './options.js';
export { openDatabase } from './db/connect.js';
export { Store } from './db/store.js';
