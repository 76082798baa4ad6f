export { readDicomFile, readDicomBytes, decodeDicom, type DecodedDicom, type DicomReadOptions } from './file.js';
export { readDicomSeries } from './series.js';
export { orderSlices, type SeriesOrder } from './order.js';
export { parseDicom, type ParsedDicom, type DicomImageInfo } from './parse.js';
export { TRANSFER_SYNTAXES, describeTransferSyntax, type TransferSyntax } from './transfer-syntax.js';
export { decodeRleFrame } from './rle.js';
export { looksLikeDicom } from './detect.js';
