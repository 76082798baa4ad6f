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

type Factory = (moduleArg: { print: (s: string) => void; printErr: (s: string) => void }) => Promise<Record<string, new () => WasmDecoder>>;

const modules = new Map<string, Promise<Record<string, new () => WasmDecoder>>>();
/** What the codecs print (OpenJPEG logs every tile); kept for error messages instead of stdout. */
const codecLog: string[] = [];
function load(name: string, factory: Factory): Promise<Record<string, new () => WasmDecoder>> {
  let m = modules.get(name);
  if (!m) {
    const keep = (s: string) => {
      if (/error|warn/i.test(s)) codecLog.push(s.trim());
    };
    m = factory({ print: keep, printErr: keep });
    modules.set(name, m);
  }
  return m;
}

function describe(e: unknown): string {
  // Emscripten throws bare numbers (pointers) or strings for C++ exceptions
  return e instanceof Error ? e.message : typeof e === 'number' ? `decoder aborted (code ${e})` : String(e);
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
  codecLog.length = 0;
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    try {
      decoder.decode();
    } catch (e) {
      throw new Error(`${describe(e)}${codecLog.length ? ': ' + codecLog.join('; ') : ''}`);
    }
    const info = decoder.getFrameInfo();
    if (!info.width || !info.height) throw new Error(`codestream not decoded${codecLog.length ? ': ' + codecLog.join('; ') : ''}`);
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

/**
 * Make the DICOM header decide a 3-component JPEG's colour space, as DCMTK's dcmdjpeg does: libjpeg
 * otherwise guesses from JFIF/Adobe markers and component ids, and turns RGB-coded files into
 * garbage by 'converting' them from YCbCr. Drops JFIF APP0 and Adobe APP14 segments and inserts an
 * Adobe APP14 with transform 0 (components are RGB) or 1 (components are YCbCr).
 */
export function withColourTransform(data: Uint8Array, ycbcr: boolean): Uint8Array {
  const keep: Uint8Array[] = [data.subarray(0, 2)];
  const adobe = Uint8Array.from([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, ycbcr ? 1 : 0]);
  keep.push(adobe);
  let i = 2;
  while (i + 4 <= data.length && data[i] === 0xff) {
    const m = data[i + 1];
    if (m === 0xda) break; // start of scan: the rest is entropy-coded data
    const len = (data[i + 2] << 8) | data[i + 3];
    const seg = data.subarray(i, i + 2 + len);
    const isJfif = m === 0xe0 && seg[4] === 0x4a && seg[5] === 0x46 && seg[6] === 0x49 && seg[7] === 0x46;
    const isAdobe = m === 0xee && seg[4] === 0x41 && seg[5] === 0x64 && seg[6] === 0x6f && seg[7] === 0x62 && seg[8] === 0x65;
    if (!isJfif && !isAdobe) keep.push(seg);
    i += 2 + len;
  }
  keep.push(data.subarray(i));
  const out = new Uint8Array(keep.reduce((a, k) => a + k.length, 0));
  let o = 0;
  for (const k of keep) {
    out.set(k, o);
    o += k.length;
  }
  return out;
}

/** JPEG lossless, process 14, any predictor 1-7 (jpeg-lossless-decoder-js). */
export function decodeJpegLossless(data: Uint8Array, bitsAllocated: number): DecodedSamples {
  const dec = new LosslessJpegDecoder();
  const bytes = bitsAllocated <= 8 ? 1 : 2;
  const copy = new Uint8Array(data); // a copy: Buffer.slice would share the whole file
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
