/**
 * Pixel Data of one DICOM object to per-frame sample values: native unpacking (byte order, bit
 * layout, planar configuration, YBR_FULL_422 subsampling), RLE, and the JPEG / JPEG-LS / JPEG 2000
 * decoders. Values returned are the stored values (BitsStored masked, sign-extended by the header's
 * PixelRepresentation), before any modality or palette lookup; colour frames are RGB interleaved.
 */
import dicomParser from 'dicom-parser';
import { DataError } from '../volume.js';
import type { ParsedDicom, DicomImageInfo } from './parse.js';
import { decodeRleFrame } from './rle.js';
import { decodeJpeg2000, decodeJpeg8, decodeJpegLossless, decodeJpegLs, jpegFrameMarker, withColourTransform, type DecodedSamples } from './codecs.js';
import { ybrFullToRgb } from './color.js';

export interface DecodedFrames {
  frames: Float32Array[];
  /** photometric interpretation the values are now in (colour becomes RGB; palette stays indices) */
  photometric: string;
  channels: number;
}

/** Reinterpret unsigned bit patterns per the header: HighBit/BitsStored window, two's complement if signed. */
export function storedValues(raw: ArrayLike<number>, info: Pick<DicomImageInfo, 'bitsStored' | 'highBit' | 'pixelRepresentation'>, shift = info.highBit + 1 - info.bitsStored): Float32Array {
  const n = raw.length;
  const out = new Float32Array(n);
  const bits = info.bitsStored;
  const signed = info.pixelRepresentation === 1;
  if (bits < 32 && shift + bits <= 32) {
    // 32-bit integer arithmetic: mask the window, then sign-extend by shifting up and back down
    const mask = bits === 31 ? 0x7fffffff : (1 << bits) - 1;
    const up = 32 - bits;
    if (signed) for (let i = 0; i < n; i++) out[i] = ((((raw[i] >>> shift) & mask) << up) >> up);
    else for (let i = 0; i < n; i++) out[i] = (raw[i] >>> shift) & mask;
    return out;
  }
  // 32 bits stored: floating-point arithmetic keeps values above 2^31 exact
  const full = 2 ** bits;
  const half = 2 ** (bits - 1);
  for (let i = 0; i < n; i++) {
    let v = (shift ? Math.floor(raw[i] / 2 ** shift) : raw[i]) % full;
    if (signed && v >= half) v -= full;
    out[i] = v;
  }
  return out;
}

function planarToInterleaved(v: Float32Array, pixels: number, comps: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let c = 0; c < comps; c++) for (let p = 0; p < pixels; p++) out[p * comps + c] = v[c * pixels + p];
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Integer samples of a native frame as unsigned bit patterns, in the file's byte order. */
function nativeSamples(bytes: Uint8Array, offset: number, count: number, bitsAllocated: number, littleEndian: boolean): Uint32Array | Uint16Array | Uint8Array {
  if (bitsAllocated === 8) return bytes.subarray(offset, offset + count);
  const width = bitsAllocated / 8;
  const start = bytes.byteOffset + offset;
  if (littleEndian === HOST_LITTLE_ENDIAN) {
    // same byte order as the host: a typed-array view (or one aligned copy) instead of per-sample reads
    const src = start % width === 0 ? bytes.buffer : bytes.slice(offset, offset + count * width).buffer;
    const at = start % width === 0 ? start : 0;
    return width === 2 ? new Uint16Array(src, at, count) : new Uint32Array(src, at, count);
  }
  const dv = new DataView(bytes.buffer, start, count * width);
  if (width === 2) {
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = dv.getUint16(2 * i, littleEndian);
    return out;
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = dv.getUint32(4 * i, littleEndian);
  return out;
}

function nativeBits(bytes: Uint8Array, bitOffset: number, count: number): Uint8Array {
  // BitsAllocated 1: pixels packed least significant bit first (PS3.5 8.1.1)
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const b = bitOffset + i;
    out[i] = (bytes[b >> 3] >> (b & 7)) & 1;
  }
  return out;
}

function decodeNative(p: ParsedDicom): DecodedFrames {
  const { info, pixelData, dataSet, file } = p;
  const pixels = info.rows * info.columns;
  const bytes = dataSet.byteArray.subarray(pixelData.dataOffset, pixelData.dataOffset + pixelData.length);
  const sub422 = info.photometric === 'YBR_FULL_422' || info.photometric === 'YBR_PARTIAL_422';
  if (sub422 && (info.samplesPerPixel !== 3 || info.bitsAllocated !== 8 || info.columns % 2 !== 0)) {
    throw new DataError(file, `${info.photometric} needs 3 samples of 8 bits and an even column count`);
  }
  const samplesPerFrame = sub422 ? pixels * 2 : pixels * info.samplesPerPixel;
  const frameBits = samplesPerFrame * info.bitsAllocated;
  const need = Math.ceil((frameBits * info.numberOfFrames) / 8);
  if (bytes.length < need) {
    throw new DataError(
      file,
      `Pixel Data is truncated: ${bytes.length} bytes for ${info.numberOfFrames} frame(s) of ${info.rows}x${info.columns}x${info.samplesPerPixel} at ${info.bitsAllocated} bits (${need} bytes needed)`,
    );
  }
  const frames: Float32Array[] = [];
  if (p.floatPixels) {
    // IEEE floats (OF/OD): real values already, no bit window or sign handling
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const w = p.floatPixels === 'float32' ? 4 : 8;
    const le = p.transferSyntax.littleEndian;
    for (let f = 0; f < info.numberOfFrames; f++) {
      const v = new Float32Array(samplesPerFrame);
      for (let i = 0; i < samplesPerFrame; i++) {
        const o = (f * samplesPerFrame + i) * w;
        v[i] = w === 4 ? dv.getFloat32(o, le) : dv.getFloat64(o, le);
      }
      frames.push(v);
    }
    return { frames, photometric: info.photometric, channels: 1 };
  }
  for (let f = 0; f < info.numberOfFrames; f++) {
    const raw =
      info.bitsAllocated === 1
        ? nativeBits(bytes, f * frameBits, samplesPerFrame)
        : nativeSamples(bytes, (f * frameBits) / 8, samplesPerFrame, info.bitsAllocated, p.transferSyntax.littleEndian);
    let v = storedValues(raw, info);
    if (sub422) v = upsample422(v, pixels);
    else if (info.samplesPerPixel > 1 && info.planarConfiguration === 1) v = planarToInterleaved(v, pixels, info.samplesPerPixel);
    frames.push(v);
  }
  return finishColour(frames, info.photometric, info.samplesPerPixel);
}

/** YBR_FULL_422 stores Y1 Y2 Cb Cr for each horizontal pixel pair (PS3.3 C.7.6.3.1.2). */
function upsample422(v: Float32Array, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p += 2) {
    const i = p * 2;
    out[p * 3] = v[i];
    out[p * 3 + 3] = v[i + 1];
    out[p * 3 + 1] = out[p * 3 + 4] = v[i + 2];
    out[p * 3 + 2] = out[p * 3 + 5] = v[i + 3];
  }
  return out;
}

function finishColour(frames: Float32Array[], photometric: string, channels: number): DecodedFrames {
  if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') {
    for (const f of frames) ybrFullToRgb(f);
    return { frames, photometric: 'RGB', channels };
  }
  return { frames, photometric, channels };
}

/** Split encapsulated Pixel Data into one byte string per frame (PS3.5 A.4). */
function encapsulatedFrames(p: ParsedDicom): Uint8Array[] {
  const { dataSet, pixelData, info, file } = p;
  const frags = pixelData.fragments ?? [];
  const n = info.numberOfFrames;
  if (frags.length === 0) throw new DataError(file, 'encapsulated Pixel Data has no fragments');
  const all = (start: number, count: number): Uint8Array => dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, pixelData, start, count);
  if (n === 1) return [all(0, frags.length)];
  const bot = pixelData.basicOffsetTable ?? [];
  if (bot.length === n) return Array.from({ length: n }, (_, i) => dicomParser.readEncapsulatedImageFrame(dataSet, pixelData, i));
  if (frags.length === n) return frags.map((_, i) => all(i, 1));
  // No offset table and several fragments per frame: a frame starts where a codestream starts.
  const starts: number[] = [];
  frags.forEach((fr, i) => {
    const b = dataSet.byteArray.subarray(fr.position, fr.position + 4);
    const jpeg = b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
    const j2k = b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51;
    const jp2 = b[0] === 0x00 && b[1] === 0x00 && b[2] === 0x00 && b[3] === 0x0c;
    if (jpeg || j2k || jp2) starts.push(i);
  });
  if (starts.length !== n) throw new DataError(file, `cannot split ${frags.length} fragments into ${n} frames (no Basic Offset Table)`);
  return starts.map((s, i) => all(s, (i + 1 < n ? starts[i + 1] : frags.length) - s));
}

function checkGeometry(d: DecodedSamples, info: DicomImageInfo, file: string, frame: number): void {
  if (d.width !== info.columns || d.height !== info.rows) {
    throw new DataError(file, `frame ${frame}: codestream is ${d.width}x${d.height}, header says ${info.columns}x${info.rows}`);
  }
  if (d.components !== info.samplesPerPixel) {
    throw new DataError(file, `frame ${frame}: codestream has ${d.components} components, header says SamplesPerPixel ${info.samplesPerPixel}`);
  }
}

/** Decode every frame of a parsed DICOM object. */
export async function decodePixelData(p: ParsedDicom): Promise<DecodedFrames> {
  const { info, file, transferSyntax } = p;
  const enc = transferSyntax.encoding;
  if (enc === 'native') return decodeNative(p);
  if (!p.pixelData.encapsulatedPixelData) throw new DataError(file, `transfer syntax ${transferSyntax.name} needs encapsulated Pixel Data`);
  const pixels = info.rows * info.columns;
  const raws = encapsulatedFrames(p);
  const frames: Float32Array[] = [];
  let photometric = info.photometric;
  for (let f = 0; f < raws.length; f++) {
    const data = raws[f];
    let d: DecodedSamples;
    try {
      if (enc === 'rle') {
        const bytes = decodeRleFrame(data, info.rows, info.columns, info.samplesPerPixel, info.bitsAllocated);
        const n = pixels * info.samplesPerPixel;
        const samples =
          info.bitsAllocated === 8 ? bytes : info.bitsAllocated === 16 ? new Uint16Array(bytes.buffer, 0, n) : new Uint32Array(bytes.buffer, 0, n);
        d = { samples, width: info.columns, height: info.rows, components: info.samplesPerPixel, planar: true };
      } else if (enc === 'jpeg-ls') {
        d = await decodeJpegLs(data);
      } else if (enc === 'jpeg-2000') {
        d = await decodeJpeg2000(data);
      } else {
        const sof = jpegFrameMarker(data);
        if (sof === 0xc3 || sof === 0xc7) d = decodeJpegLossless(data, info.bitsAllocated);
        else if (sof === 0xc0 || sof === 0xc1 || sof === 0xc2) {
          const precision = data.length > 0 ? jpegPrecision(data) : 0;
          if (precision > 8) throw new Error(`${precision}-bit lossy JPEG (process 4) has no well-kept npm decoder; transcode it (e.g. gdcmconv --raw)`);
          const colour = info.samplesPerPixel === 3;
          d = await decodeJpeg8(colour ? withColourTransform(data, info.photometric.startsWith('YBR')) : data);
          if (colour) photometric = 'RGB'; // libjpeg-turbo converts YCbCr to RGB itself
        } else throw new Error(`JPEG start-of-frame marker ${sof === null ? 'not found' : '0xFF' + sof.toString(16).toUpperCase()} is not supported`);
      }
    } catch (e) {
      if (e instanceof DataError) throw e;
      throw new DataError(file, `frame ${f}: ${transferSyntax.name} decoding failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    checkGeometry(d, info, file, f);
    // The codec's samples are the stored values; re-read them with the header's signedness.
    let v = storedValues(d.samples.subarray(0, pixels * d.components), info, 0);
    if (d.planar) v = planarToInterleaved(v, pixels, d.components);
    frames.push(v);
  }
  if (enc === 'jpeg-2000' && (photometric === 'YBR_ICT' || photometric === 'YBR_RCT')) photometric = 'RGB'; // OpenJPEG applies the inverse MCT
  return finishColour(frames, photometric, info.samplesPerPixel);
}

/** Sample precision from the JPEG SOF segment. */
function jpegPrecision(data: Uint8Array): number {
  let i = 2;
  while (i + 4 < data.length) {
    const m = data[i + 1];
    if (m >= 0xc0 && m <= 0xc2) return data[i + 4];
    i += 2 + ((data[i + 2] << 8) | data[i + 3]);
  }
  return 0;
}
