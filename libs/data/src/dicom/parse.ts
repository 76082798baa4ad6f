/**
 * DICOM Part 10 (and headerless) parsing with dicom-parser, plus the image attributes Unbox needs.
 * Errors come out as DataError naming the file and what is wrong.
 */
import { inflateRawSync } from 'node:zlib';
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { DataError } from '../volume.js';
import { TRANSFER_SYNTAXES, describeTransferSyntax, type TransferSyntax } from './transfer-syntax.js';

export interface DicomImageInfo {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement */
  pixelRepresentation: number;
  /** 0 interleaved (RGBRGB...), 1 planar (RR..GG..BB..) */
  planarConfiguration: number;
  photometric: string;
  numberOfFrames: number;
  rescaleSlope: number | null;
  rescaleIntercept: number | null;
  modality: string | null;
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
  imagePosition: [number, number, number] | null;
  imageOrientation: [number, number, number, number, number, number] | null;
  instanceNumber: number | null;
  seriesInstanceUid: string | null;
  /** enhanced multi-frame objects (functional groups, PS3.3 C.7.6.16): per-frame values; else null */
  frames: FrameInfo[] | null;
  /** Modality LUT Sequence (0028,3000): a lookup table used instead of rescale slope/intercept */
  modalityLut: { firstMapped: number; table: Uint16Array } | null;
}

export interface FrameInfo {
  imagePosition: [number, number, number] | null;
  rescaleSlope: number | null;
  rescaleIntercept: number | null;
}

export interface ParsedDicom {
  file: string;
  dataSet: DataSet;
  transferSyntax: TransferSyntax;
  info: DicomImageInfo;
  pixelData: Element;
  /** Float Pixel Data (7FE0,0008) or Double Float Pixel Data (7FE0,0009) instead of integers */
  floatPixels: 'float32' | 'float64' | null;
}

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';

/** Guess the encoding of a file without a Part 10 meta header from its first element. */
function guessRawSyntax(bytes: Uint8Array): string {
  if (bytes.length < 8) return IMPLICIT_LE;
  const bigEndianGroup = bytes[0] === 0x00 && bytes[1] !== 0x00;
  const vrLetters = bytes[4] >= 0x41 && bytes[4] <= 0x5a && bytes[5] >= 0x41 && bytes[5] <= 0x5a;
  if (bigEndianGroup) return EXPLICIT_BE;
  return vrLetters ? EXPLICIT_LE : IMPLICIT_LE;
}

function hasPreamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function message(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'exception' in e) return message((e as { exception: unknown }).exception);
  if (e instanceof Error) return e.message;
  return String(e);
}

function nums(ds: DataSet, tag: string, n: number): number[] | null {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return null;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v === undefined || !Number.isFinite(v)) return null;
    out.push(v);
  }
  return out;
}

function num(ds: DataSet, tag: string): number | null {
  const v = nums(ds, tag, 1);
  return v ? v[0] : null;
}

/** US attribute read with the element's own byte order (meta header vs big-endian body). */
function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  const parser = el.parser ?? ds.byteArrayParser;
  return parser.readUint16(ds.byteArray, el.dataOffset);
}

/** Parse a DICOM byte stream; `file` is used in error messages only. */
export function parseDicom(bytes: Uint8Array, file: string): ParsedDicom {
  const preamble = hasPreamble(bytes);
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(preamble ? {} : { TransferSyntaxUID: guessRawSyntax(bytes) }),
      // deflated explicit VR LE: everything after the meta header is a raw deflate stream
      inflater: ((arr: Uint8Array, position: number) => {
        const inflated = inflateRawSync(arr.subarray(position));
        const full = Buffer.alloc(position + inflated.length);
        full.set(arr.subarray(0, position), 0);
        full.set(inflated, position);
        return full;
      }) as unknown as (arr: Uint8Array, position: number) => void,
    });
  } catch (e) {
    throw new DataError(file, `not a readable DICOM file: ${message(e)}`);
  }
  const tsUid = (dataSet.string('x00020010') ?? '').replace(/\0/g, '').trim() || IMPLICIT_LE;
  const transferSyntax = TRANSFER_SYNTAXES.get(tsUid);
  if (!transferSyntax) throw new DataError(file, `unsupported transfer syntax ${describeTransferSyntax(tsUid)}`);
  const pixelData = dataSet.elements.x7fe00010 ?? dataSet.elements.x7fe00008 ?? dataSet.elements.x7fe00009;
  if (!pixelData) throw new DataError(file, 'no Pixel Data (7FE0,0010): not an image');
  const floatPixels = dataSet.elements.x7fe00010 ? null : dataSet.elements.x7fe00008 ? 'float32' : 'float64';
  const info = readInfo(dataSet, file, floatPixels);
  if (!pixelData.encapsulatedPixelData && pixelData.dataOffset + pixelData.length > dataSet.byteArray.length) {
    throw new DataError(file, `Pixel Data is truncated: ${pixelData.length} bytes declared, ${dataSet.byteArray.length - pixelData.dataOffset} present`);
  }
  if (floatPixels && (transferSyntax.encoding !== 'native' || info.samplesPerPixel !== 1 || info.bitsAllocated !== (floatPixels === 'float32' ? 32 : 64))) {
    throw new DataError(file, `${floatPixels} pixel data needs a native transfer syntax, 1 sample and BitsAllocated ${floatPixels === 'float32' ? 32 : 64}`);
  }
  return { file, dataSet, transferSyntax, info, pixelData, floatPixels };
}

/** First item of a sequence, as a data set. */
function item(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

/**
 * Functional groups of an enhanced multi-frame object: a macro found in the frame's item of the
 * Per-frame Functional Groups Sequence wins over the Shared Functional Groups Sequence.
 */
function functionalGroups(ds: DataSet, frames: number): { shared: (tag: string) => DataSet | undefined; perFrame: (f: number, tag: string) => DataSet | undefined } | null {
  const shared = item(ds, 'x52009229');
  const per = ds.elements.x52009230?.items;
  if (!shared && !per) return null;
  return {
    shared: (tag) => item(shared, tag),
    perFrame: (f, tag) => (f < frames ? item(per?.[f]?.dataSet, tag) : undefined) ?? item(shared, tag),
  };
}

/** Modality LUT (PS3.3 C.11.1): LUTDescriptor [entries (0 = 65536), first mapped value, bits], LUTData. */
function readModalityLut(ds: DataSet, file: string, signed: boolean): DicomImageInfo['modalityLut'] {
  const lut = item(ds, 'x00283000');
  if (!lut) return null;
  const desc = lut.elements.x00283002;
  const data = lut.elements.x00283006;
  if (!desc || desc.length < 6 || !data) throw new DataError(file, 'Modality LUT Sequence item lacks LUTDescriptor or LUTData');
  const parser = desc.parser ?? lut.byteArrayParser;
  const entries = parser.readUint16(lut.byteArray, desc.dataOffset) || 65536;
  const first = parser.readUint16(lut.byteArray, desc.dataOffset + 2);
  const bits = parser.readUint16(lut.byteArray, desc.dataOffset + 4);
  const table = new Uint16Array(entries);
  if (bits <= 8 && data.length === entries) for (let i = 0; i < entries; i++) table[i] = lut.byteArray[data.dataOffset + i];
  else {
    if (data.length < 2 * entries) throw new DataError(file, `Modality LUT holds ${data.length} bytes for ${entries} entries`);
    const dp = data.parser ?? lut.byteArrayParser;
    for (let i = 0; i < entries; i++) table[i] = dp.readUint16(lut.byteArray, data.dataOffset + 2 * i);
  }
  return { firstMapped: signed && first >= 32768 ? first - 65536 : first, table };
}

function readInfo(ds: DataSet, file: string, floatPixels: 'float32' | 'float64' | null): DicomImageInfo {
  const need = (tag: string, name: string): number => {
    const v = us(ds, tag);
    if (v === undefined) throw new DataError(file, `missing ${name} (${tag.slice(1, 5)},${tag.slice(5)})`);
    return v;
  };
  const rows = need('x00280010', 'Rows');
  const columns = need('x00280011', 'Columns');
  const bitsAllocated = need('x00280100', 'BitsAllocated');
  const bitsStored = us(ds, 'x00280101') ?? bitsAllocated;
  const highBit = us(ds, 'x00280102') ?? bitsStored - 1;
  const samplesPerPixel = us(ds, 'x00280002') ?? 1;
  const photometric = (ds.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).trim().toUpperCase();
  if (rows === 0 || columns === 0) throw new DataError(file, `empty image: ${rows} rows x ${columns} columns`);
  if (![1, 8, 16, 32].includes(bitsAllocated) && !(floatPixels === 'float64' && bitsAllocated === 64)) throw new DataError(file, `BitsAllocated ${bitsAllocated} is not supported`);
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw new DataError(file, `inconsistent bit layout: BitsAllocated ${bitsAllocated}, BitsStored ${bitsStored}, HighBit ${highBit}`);
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) throw new DataError(file, `SamplesPerPixel ${samplesPerPixel} is not supported`);
  const frames = ds.intString('x00280008');
  const numberOfFrames = frames !== undefined && Number.isFinite(frames) && frames > 0 ? frames : 1;
  let ps = nums(ds, 'x00280030', 2) ?? nums(ds, 'x00181164', 2);
  let ipp = nums(ds, 'x00200032', 3);
  let iop = nums(ds, 'x00200037', 6);
  let thickness = num(ds, 'x00180050');
  let between = num(ds, 'x00180088');
  let slope = num(ds, 'x00281053');
  let intercept = num(ds, 'x00281052');
  let perFrame: FrameInfo[] | null = null;
  const fg = functionalGroups(ds, numberOfFrames);
  if (fg) {
    // PixelMeasures (0028,9110), PlaneOrientation (0020,9116), PlanePosition (0020,9113), PixelValueTransformation (0028,9145)
    const pm = fg.perFrame(0, 'x00289110');
    ps ??= pm ? nums(pm, 'x00280030', 2) : null;
    thickness ??= pm ? num(pm, 'x00180050') : null;
    between ??= pm ? num(pm, 'x00180088') : null;
    const po = fg.perFrame(0, 'x00209116');
    iop ??= po ? nums(po, 'x00200037', 6) : null;
    perFrame = Array.from({ length: numberOfFrames }, (_, f) => {
      const pos = fg.perFrame(f, 'x00209113');
      const pvt = fg.perFrame(f, 'x00289145');
      const p = pos ? nums(pos, 'x00200032', 3) : null;
      return {
        imagePosition: p ? [p[0], p[1], p[2]] : null,
        rescaleSlope: (pvt ? num(pvt, 'x00281053') : null) ?? slope,
        rescaleIntercept: (pvt ? num(pvt, 'x00281052') : null) ?? intercept,
      };
    });
    ipp ??= perFrame[0].imagePosition;
    slope ??= perFrame[0].rescaleSlope;
    intercept ??= perFrame[0].rescaleIntercept;
  }
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: us(ds, 'x00280103') ?? 0,
    planarConfiguration: us(ds, 'x00280006') ?? 0,
    photometric,
    numberOfFrames,
    rescaleSlope: slope,
    rescaleIntercept: intercept,
    modality: ds.string('x00080060')?.trim() || null,
    pixelSpacing: ps ? [ps[0], ps[1]] : null,
    sliceThickness: thickness,
    spacingBetweenSlices: between,
    imagePosition: ipp ? [ipp[0], ipp[1], ipp[2]] : null,
    imageOrientation: iop ? [iop[0], iop[1], iop[2], iop[3], iop[4], iop[5]] : null,
    instanceNumber: ds.intString('x00200013') ?? null,
    seriesInstanceUid: ds.string('x0020000e')?.trim() || null,
    frames: perFrame,
    modalityLut: readModalityLut(ds, file, us(ds, 'x00280103') === 1),
  };
}
