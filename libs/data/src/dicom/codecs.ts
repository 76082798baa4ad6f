/**
 * Thin wrappers around the npm decoders for compressed pixel data. Each returns the decoded samples
 * as unsigned bit patterns (the caller reinterprets them with the header's BitsStored and
 * PixelRepresentation, so the header wins over a codestream's own signedness, as GDCM and pydicom do).
 * The WebAssembly modules are loaded once, on first use.
 */
import charlsFactory from '@cornerstonejs/codec-charls/decode';
import openjpegFactory from '@cornerstonejs/codec-openjpeg/decode';
import libjpegTurboFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decode';
import { Decoder as LosslessJpegDecoder } from 'jpeg-lossless-decoder-js';

export interface DecodedSamples {
  /** unsigned sample bit patterns, rows x columns x components */
  samples: Uint8Array | Uint16Array | Uint32Array;
  width: number;
  height: number;
  components: number;
  /** true when the samples are planar (all of component 0, then 1 ...) instead of interleaved */
  planar: boolean;
}

interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): WasmFrameInfo;
  getInterleaveMode?(): number;
  delete(): void;
}

type Factory = () => Promise<Record<string, new () => WasmDecoder>>;

const modules = new Map<string, Promise<Record<string, new () => WasmDecoder>>>();
function load(name: string, factory: Factory): Promise<Record<string, new () => WasmDecoder>> {
  let m = modules.get(name);
  if (!m) {
    m = factory();
    modules.set(name, m);
  }
  return m;
}

/** Copy a decoder's output out of WebAssembly memory into a typed array of its sample width. */
function copySamples(bytes: Uint8Array, bitsPerSample: number): Uint8Array | Uint16Array {
  if (bitsPerSample <= 8) return new Uint8Array(bytes);
  const out = new Uint16Array(bytes.length >> 1);
  new Uint8Array(out.buffer).set(bytes.subarray(0, out.length * 2));
  return out;
}

async function runWasm(moduleName: string, factory: Factory, className: string, data: Uint8Array): Promise<DecodedSamples> {
  const mod = await load(moduleName, factory);
  const decoder = new mod[className]();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const interleave = decoder.getInterleaveMode ? decoder.getInterleaveMode() : 1;
    const samples = copySamples(decoder.getDecodedBuffer(), info.bitsPerSample);
    return {
      samples,
      width: info.width,
      height: info.height,
      components: info.componentCount,
      planar: info.componentCount > 1 && interleave === 0,
    };
  } finally {
    decoder.delete();
  }
}

/** JPEG-LS lossless and near-lossless (CharLS). */
export function decodeJpegLs(data: Uint8Array): Promise<DecodedSamples> {
  return runWasm('charls', charlsFactory as unknown as Factory, 'JpegLSDecoder', data);
}

/** JPEG 2000 Part 1, lossless and lossy (OpenJPEG). */
export function decodeJpeg2000(data: Uint8Array): Promise<DecodedSamples> {
  return runWasm('openjpeg', openjpegFactory as unknown as Factory, 'J2KDecoder', data);
}

/** 8-bit JPEG baseline / extended (libjpeg-turbo); colour JPEGs come out as RGB. */
export function decodeJpeg8(data: Uint8Array): Promise<DecodedSamples> {
  return runWasm('libjpeg-turbo', libjpegTurboFactory as unknown as Factory, 'JPEGDecoder', data);
}

/** JPEG lossless, process 14, any predictor 1-7 (jpeg-lossless-decoder-js). */
export function decodeJpegLossless(data: Uint8Array, bitsAllocated: number): DecodedSamples {
  const dec = new LosslessJpegDecoder();
  const bytes = bitsAllocated <= 8 ? 1 : 2;
  const copy = data.slice();
  const out = dec.decode(copy.buffer as ArrayBuffer, 0, copy.length, bytes) as Uint8Array | Uint16Array | Int16Array;
  const samples = out instanceof Int16Array ? new Uint16Array(out.buffer, out.byteOffset, out.length) : out;
  return {
    samples,
    width: dec.xDim,
    height: dec.yDim,
    components: dec.numComp,
    planar: false,
  };
}

/** Sniff which JPEG family a codestream belongs to from its start-of-frame marker. */
export function jpegFrameMarker(data: Uint8Array): number | null {
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return null;
    const m = data[i + 1];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return m;
    if (m === 0xf7) return m; // JPEG-LS SOF55
    const len = (data[i + 2] << 8) | data[i + 3];
    i += 2 + len;
  }
  return null;
}
