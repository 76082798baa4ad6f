export { kMaxMean } from './k-max-mean.js';
export { depthToSpace } from './depth-to-space.js';
