/**
 * A folder holding one DICOM series: slices ordered by ImagePositionPatient projected on the slice
 * normal (falling back to InstanceNumber), z spacing from the positions, slice thickness from the header.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, type Volume } from '../volume.js';
import { parseDicom, type ParsedDicom } from './parse.js';
import { looksLikeDicom } from './detect.js';
import { decodeDicom } from './file.js';
import { dicomAffine, dot, sliceNormal, type Vec3 } from './geometry.js';

export interface SeriesOrder {
  /** indices into the input, in slice order */
  order: number[];
  /** mean distance between consecutive slice positions, mm; null without positions */
  spacing: number | null;
  /** true when ordered by position (else by InstanceNumber) */
  byPosition: boolean;
  /** largest deviation of a step from the mean, mm */
  maxStepDeviation: number;
}

type Positioned = { imagePosition: Vec3 | null; imageOrientation: number[] | null; instanceNumber: number | null };

/** Order slices: by position along the normal of the first slice's orientation, else InstanceNumber. Pure. */
export function orderSlices(items: readonly Positioned[]): SeriesOrder {
  const idx = items.map((_, i) => i);
  const iop = items[0]?.imageOrientation;
  if (iop && items.every((s) => s.imagePosition)) {
    const n = sliceNormal(iop);
    const z = items.map((s) => dot(s.imagePosition as Vec3, n));
    idx.sort((a, b) => z[a] - z[b] || (items[a].instanceNumber ?? 0) - (items[b].instanceNumber ?? 0));
    let spacing: number | null = null;
    let dev = 0;
    if (idx.length > 1) {
      spacing = (z[idx[idx.length - 1]] - z[idx[0]]) / (idx.length - 1);
      for (let i = 1; i < idx.length; i++) dev = Math.max(dev, Math.abs(z[idx[i]] - z[idx[i - 1]] - spacing));
    }
    return { order: idx, spacing, byPosition: true, maxStepDeviation: dev };
  }
  idx.sort((a, b) => (items[a].instanceNumber ?? Infinity) - (items[b].instanceNumber ?? Infinity) || a - b);
  return { order: idx, spacing: null, byPosition: false, maxStepDeviation: 0 };
}

/** Read every DICOM image in a folder (not recursing) as one volume. */
export async function readDicomSeries(dir: string): Promise<Volume> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    throw new DataError(dir, `cannot list folder: ${(e as Error).message}`);
  }
  const parsed: ParsedDicom[] = [];
  for (const n of names) {
    const p = join(dir, n);
    if (!(await stat(p)).isFile() || n.toUpperCase() === 'DICOMDIR') continue;
    const bytes = await readFile(p);
    if (!looksLikeDicom(bytes.subarray(0, 132), n)) continue; // notes, thumbnails, checksums beside the slices
    parsed.push(parseDicom(bytes, p));
  }
  if (parsed.length === 0) throw new DataError(dir, 'folder holds no DICOM images');
  const uids = new Set(parsed.map((p) => p.info.seriesInstanceUid ?? ''));
  if (uids.size > 1) throw new DataError(dir, `folder mixes ${uids.size} series (SeriesInstanceUID ${[...uids].join(', ')}); give one series per folder`);
  const first = parsed[0].info;
  for (const p of parsed) {
    const i = p.info;
    if (i.rows !== first.rows || i.columns !== first.columns || i.samplesPerPixel !== first.samplesPerPixel) {
      throw new DataError(p.file, `slice is ${i.rows}x${i.columns}x${i.samplesPerPixel}, series starts with ${first.rows}x${first.columns}x${first.samplesPerPixel}`);
    }
  }
  const ord = orderSlices(parsed.map((p) => p.info));
  if (ord.byPosition && parsed.length > 1 && ord.spacing !== null && Math.abs(ord.spacing) < 1e-6) {
    throw new DataError(dir, 'all slices share one ImagePositionPatient: not a single spatial series');
  }
  const decoded = [];
  for (const i of ord.order) decoded.push(await decodeDicom(parsed[i]));
  const frames = decoded.flatMap((d) => d.frames);
  const sliceLen = frames[0].length;
  const data = new Float32Array(sliceLen * frames.length);
  frames.forEach((f, i) => data.set(f, i * sliceLen));
  const head = parsed[ord.order[0]].info;
  const ps = head.pixelSpacing ?? [1, 1];
  const dz = ord.spacing ?? head.spacingBetweenSlices ?? head.sliceThickness ?? 1;
  let affine: number[] | null = null;
  if (ord.byPosition && head.imageOrientation && head.imagePosition && head.pixelSpacing) {
    const n = sliceNormal(head.imageOrientation);
    affine = dicomAffine(head.imageOrientation, head.imagePosition, head.pixelSpacing, n.map((x) => x * dz) as Vec3);
  }
  return {
    data,
    slices: frames.length,
    rows: head.rows,
    columns: head.columns,
    channels: decoded[0].channels,
    spacing: [ps[0], ps[1], dz],
    sliceThickness: head.sliceThickness,
    modality: head.modality,
    affine,
    source: {
      format: 'dicom',
      files: ord.order.map((i) => parsed[i].file),
      transferSyntax: parsed[ord.order[0]].transferSyntax.uid,
      photometric: head.photometric,
      orderedBy: ord.byPosition ? 'ImagePositionPatient' : 'InstanceNumber',
      maxStepDeviation: ord.maxStepDeviation,
    },
  };
}
