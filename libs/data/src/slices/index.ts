export { readSliceFolder, listCcCciiScans, naturalCompare, CC_CCII_CLASSES, type CcCciiClass, type CcCciiScan } from './read.js';
export { decodePng, decodeJpeg, type SliceImage } from './decode.js';
