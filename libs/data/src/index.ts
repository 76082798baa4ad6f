export * from './volume.js';
export * from './manifest/schema.js';
export * from './preprocess/index.js';
