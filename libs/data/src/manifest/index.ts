export * from './schema.js';
export * from './csv.js';
export * from './parse.js';
export * from './load.js';
export * from './check.js';
