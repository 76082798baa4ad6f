/** One DICOM object (single or multi-frame) to a Volume: stored values, palette, modality LUT. */
import { readFile } from 'node:fs/promises';
import { DataError, type Volume } from '../volume.js';
import { parseDicom, type ParsedDicom } from './parse.js';
import { decodePixelData } from './pixels.js';
import { applyPalette } from './color.js';
import { dicomAffine, sliceNormal, type Vec3 } from './geometry.js';
import { orderSlices } from './order.js';

export interface DecodedDicom {
  parsed: ParsedDicom;
  /** one array per frame, rows x columns x channels, real-world values */
  frames: Float32Array[];
  channels: number;
  photometric: string;
}

export interface DicomReadOptions {
  /**
   * 'modality' (default): real-world values, HU for CT (stored x RescaleSlope + RescaleIntercept, or
   * the Modality LUT). 'stored': the stored integers, before any modality transform. Palette colour
   * is looked up either way.
   */
  values?: 'modality' | 'stored';
}

/** Decode one parsed object to real-world values (or stored values, see DicomReadOptions). */
export async function decodeDicom(parsed: ParsedDicom, options: DicomReadOptions = {}): Promise<DecodedDicom> {
  const modality = (options.values ?? 'modality') === 'modality';
  const { info, file } = parsed;
  const dec = await decodePixelData(parsed);
  let { frames, channels } = dec;
  const photometric = dec.photometric;
  if (photometric === 'PALETTE COLOR') {
    frames = frames.map((f) => applyPalette(parsed.dataSet, f, file, info.pixelRepresentation === 1));
    channels = 3;
  } else if (!modality) {
    // stored values requested: no modality transform
  } else if (channels === 1 && info.modalityLut) {
    // a Modality LUT replaces rescale slope/intercept; inputs outside the table take its end values
    const { firstMapped, table } = info.modalityLut;
    const last = table.length - 1;
    for (const f of frames) for (let i = 0; i < f.length; i++) f[i] = table[Math.min(last, Math.max(0, f[i] - firstMapped))];
  } else if (channels === 1) {
    frames.forEach((f, k) => {
      // enhanced objects may carry a modality LUT per frame
      const m = info.frames?.[k]?.rescaleSlope ?? info.rescaleSlope ?? 1;
      const b = info.frames?.[k]?.rescaleIntercept ?? info.rescaleIntercept ?? 0;
      if (m !== 1 || b !== 0) for (let i = 0; i < f.length; i++) f[i] = f[i] * m + b;
    });
  }
  return { parsed, frames, channels, photometric };
}

export async function readDicomBytes(bytes: Uint8Array, file: string, options: DicomReadOptions = {}): Promise<DecodedDicom> {
  return decodeDicom(parseDicom(bytes, file), options);
}

function concat(frames: Float32Array[]): Float32Array {
  const n = frames.reduce((a, f) => a + f.length, 0);
  const out = new Float32Array(n);
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

/** Read one DICOM file; frames of a multi-frame object become slices. */
export async function readDicomFile(path: string, options: DicomReadOptions = {}): Promise<Volume> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DataError(path, `cannot read: ${(e as Error).message}`);
  }
  const d = await readDicomBytes(bytes, path, options);
  const { info, transferSyntax } = d.parsed;
  const ps = info.pixelSpacing ?? [1, 1];
  let dz = info.spacingBetweenSlices ?? info.sliceThickness ?? 1;
  let frames = d.frames;
  let origin = info.imagePosition;
  let orderedBy: string | undefined;
  // Enhanced multi-frame with a position per frame: frames ordered along the normal like a series.
  const iop = info.imageOrientation;
  if (info.frames && iop && frames.length > 1 && info.frames.every((f) => f.imagePosition)) {
    const ord = orderSlices(info.frames.map((f, k) => ({ imagePosition: f.imagePosition, imageOrientation: iop, instanceNumber: k })));
    frames = ord.order.map((k) => d.frames[k]);
    origin = info.frames[ord.order[0]].imagePosition;
    if (ord.spacing !== null && Math.abs(ord.spacing) > 1e-6) dz = ord.spacing;
    orderedBy = 'ImagePositionPatient';
  }
  let affine: number[] | null = null;
  if (iop && origin && info.pixelSpacing) {
    const n = sliceNormal(iop);
    affine = dicomAffine(iop, origin, info.pixelSpacing, n.map((x) => x * dz) as Vec3);
  }
  return {
    data: concat(frames),
    slices: frames.length,
    rows: info.rows,
    columns: info.columns,
    channels: d.channels,
    spacing: [ps[0], ps[1], dz],
    sliceThickness: info.sliceThickness,
    modality: info.modality,
    affine,
    source: {
      format: 'dicom',
      files: [path],
      transferSyntax: transferSyntax.uid,
      transferSyntaxName: transferSyntax.name,
      photometric: info.photometric,
      // what the values are in: colour is always decoded to RGB, palette looked up to RGB
      decodedPhotometric: d.photometric === 'PALETTE COLOR' ? 'RGB' : d.photometric,
      bitsStored: info.bitsStored,
      pixelRepresentation: info.pixelRepresentation,
      rescaleSlope: info.rescaleSlope,
      rescaleIntercept: info.rescaleIntercept,
      values: options.values ?? 'modality',
      ...(orderedBy ? { orderedBy } : {}),
    },
  };
}
