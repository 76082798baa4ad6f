export { readNifti, decodeNifti } from './read.js';
export { parseNiftiHeader, bestAffine, qformAffine, type NiftiHeader } from './header.js';
