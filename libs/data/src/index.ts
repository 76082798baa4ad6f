export * from './volume.js';
export * from './manifest/schema.js';
