// jpeg-lossless-decoder-js: its "types" entry points at a file the package does not ship.
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    xDim: number;
    yDim: number;
    numComp: number;
    constructor(buffer?: ArrayBuffer, numBytes?: number);
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array | Int16Array;
  }
}

// The cornerstone WebAssembly codecs ship no declarations; each default export is an Emscripten factory.
declare module '@cornerstonejs/codec-charls/decode' {
  const factory: () => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decode' {
  const factory: () => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decode' {
  const factory: () => Promise<unknown>;
  export default factory;
}
