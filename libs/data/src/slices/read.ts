/**
 * Folders of PNG/JPEG slices (one file per slice, ordered by the number in the name) and the CC-CCII
 * layout `<root>/<class>/<patient>/<scan>/<slice>.png` with classes NCP, CP and Normal.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DataError, type Volume } from '../volume.js';
import { decodeJpeg, decodePng, type SliceImage } from './decode.js';

const IMAGE = /\.(png|jpe?g)$/i;

/** Natural order: "2.png" before "10.png"; names compared by their digit runs as numbers. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0);
}

function decode(bytes: Uint8Array, file: string): SliceImage {
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) return decodePng(bytes);
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes);
  } catch (e) {
    throw new DataError(file, `corrupt or truncated image: ${(e as Error).message}`);
  }
  throw new DataError(file, 'not a PNG or JPEG file');
}

/** Read one PNG/JPEG file, or every PNG/JPEG in a folder (sorted naturally), as a volume. */
export async function readSliceFolder(path: string): Promise<Volume> {
  let files: string[];
  try {
    const st = await stat(path);
    files = st.isDirectory()
      ? (await readdir(path))
          .filter((n) => IMAGE.test(n) && !n.startsWith('.'))
          .sort(naturalCompare)
          .map((n) => join(path, n))
      : [path];
  } catch (e) {
    throw new DataError(path, `cannot access: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new DataError(path, 'folder holds no .png/.jpg/.jpeg slices');
  const slices: SliceImage[] = [];
  for (const f of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(f);
    } catch (e) {
      throw new DataError(f, `cannot read: ${(e as Error).message}`);
    }
    const s = decode(bytes, f);
    if (slices.length && (s.width !== slices[0].width || s.height !== slices[0].height)) {
      throw new DataError(f, `slice is ${s.width}x${s.height}, the first slice (${basename(files[0])}) is ${slices[0].width}x${slices[0].height}`);
    }
    slices.push(s);
  }
  // a folder is colour if any slice is; grey slices are then replicated to 3 channels
  const channels = slices.some((s) => s.channels === 3) ? 3 : 1;
  const { width, height } = slices[0];
  const n = width * height;
  const data = new Float32Array(n * channels * slices.length);
  slices.forEach((s, i) => {
    const base = i * n * channels;
    if (s.channels === channels) data.set(s.data, base);
    else for (let p = 0; p < n; p++) for (let c = 0; c < 3; c++) data[base + p * 3 + c] = s.data[p];
  });
  return {
    data,
    slices: slices.length,
    rows: height,
    columns: width,
    channels,
    spacing: [1, 1, 1],
    sliceThickness: null,
    modality: null,
    affine: null,
    source: { format: slices[0].format, files, bitDepth: slices[0].bitDepth, spacingKnown: false },
  };
}

export const CC_CCII_CLASSES = ['NCP', 'CP', 'Normal'] as const;
export type CcCciiClass = (typeof CC_CCII_CLASSES)[number];

export interface CcCciiScan {
  label: CcCciiClass;
  patient: string;
  scan: string;
  dir: string;
  slices: number;
}

async function subdirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) if (e.isDirectory() && !e.name.startsWith('.')) out.push(e.name);
  return out.sort(naturalCompare);
}

/** List the scans of a CC-CCII tree; a class folder may be missing, anything else at the top is an error. */
export async function listCcCciiScans(root: string): Promise<CcCciiScan[]> {
  let top: string[];
  try {
    top = await subdirs(root);
  } catch (e) {
    throw new DataError(root, `cannot list CC-CCII root: ${(e as Error).message}`);
  }
  const unknown = top.filter((d) => !(CC_CCII_CLASSES as readonly string[]).includes(d));
  if (unknown.length) throw new DataError(root, `unknown CC-CCII class folder(s) ${unknown.join(', ')}; expected ${CC_CCII_CLASSES.join(', ')}`);
  if (top.length === 0) throw new DataError(root, `no CC-CCII class folders (${CC_CCII_CLASSES.join(', ')})`);
  const scans: CcCciiScan[] = [];
  let at = root;
  try {
    for (const label of top as CcCciiClass[]) {
      for (const patient of await subdirs((at = join(root, label)))) {
        for (const scan of await subdirs((at = join(root, label, patient)))) {
          const dir = (at = join(root, label, patient, scan));
          const slices = (await readdir(dir)).filter((n) => IMAGE.test(n)).length;
          if (slices > 0) scans.push({ label, patient, scan, dir, slices });
        }
      }
    }
  } catch (e) {
    throw new DataError(at, `cannot list: ${(e as Error).message}`);
  }
  return scans;
}
