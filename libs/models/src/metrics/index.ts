export * from './binary.js';
export * from './roc.js';
export * from './dice.js';
export * from './aggregate.js';
export * from './score-ranking.js';
