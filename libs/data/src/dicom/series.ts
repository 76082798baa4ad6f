/**
 * A folder holding one DICOM series: slices ordered by ImagePositionPatient projected on the slice
 * normal (falling back to InstanceNumber), z spacing from the positions, slice thickness from the header.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, type Volume } from '../volume.js';
import { parseDicom, type ParsedDicom } from './parse.js';
import { looksLikeDicom } from './detect.js';
import { decodeDicom, type DicomReadOptions } from './file.js';
import { dicomAffine, sliceNormal, type Vec3 } from './geometry.js';
import { orderSlices } from './order.js';

/** Read every DICOM image in a folder (not recursing) as one volume. */
export async function readDicomSeries(dir: string, options: DicomReadOptions = {}): Promise<Volume> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    throw new DataError(dir, `cannot list folder: ${(e as Error).message}`);
  }
  const parsed: ParsedDicom[] = [];
  for (const n of names) {
    const p = join(dir, n);
    const st = await stat(p).catch(() => null); // broken links and vanished files are not slices
    if (!st?.isFile() || n.toUpperCase() === 'DICOMDIR') continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(p);
    } catch (e) {
      throw new DataError(p, `cannot read: ${(e as Error).message}`);
    }
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
  if (ord.closestPair && ord.minStep < 1e-3) {
    // several echoes, phases or repeats in one folder: not one spatial volume
    const [a, b] = ord.closestPair.map((i) => parsed[i].file);
    throw new DataError(dir, `${a} and ${b} share one ImagePositionPatient: the folder holds more than one volume (echoes, phases or repeats?)`);
  }
  const decoded = [];
  for (const i of ord.order) decoded.push(await decodeDicom(parsed[i], options));
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
      values: options.values ?? 'modality',
      orderedBy: ord.byPosition ? 'ImagePositionPatient' : 'InstanceNumber',
      orientationVaries: ord.orientationVaries,
      maxStepDeviation: ord.maxStepDeviation,
    },
  };
}
