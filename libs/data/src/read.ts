/**
 * One entry point for every image format the site reads: a DICOM file, a DICOM series folder, a
 * NIfTI file (.nii / .nii.gz) or a folder of PNG/JPEG slices. The format is detected from the
 * content (DICM preamble, NIfTI header size, PNG/JPEG signatures), not trusted from the name.
 */
import { stat, readdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';
import { DataError, type Volume } from './volume.js';
import { readDicomFile, readDicomSeries, looksLikeDicom } from './dicom/index.js';
import { readNifti } from './nifti/index.js';
import { readSliceFolder } from './slices/index.js';

export type DetectedFormat = 'dicom' | 'nifti' | 'png' | 'jpeg' | 'unknown';

/** Detect a single file's format from its first bytes (and the name for headerless DICOM). */
export function detectFormat(head: Uint8Array, name = ''): DetectedFormat {
  const b = head;
  if (b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d) return 'dicom';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return isNiftiHeader(gunzipHead(b)) || /\.nii\.gz$/i.test(name) ? 'nifti' : 'unknown';
  if (isNiftiHeader(b)) return 'nifti';
  return looksLikeDicom(b, name) ? 'dicom' : 'unknown';
}

/** sizeof_hdr of NIfTI-1 (348) or NIfTI-2 (540), either byte order. */
function isNiftiHeader(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const le = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  const be = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
  return le === 348 || be === 348 || le === 540 || be === 540;
}

/** The first decompressed bytes of a gzip stream we only hold the start of. */
function gunzipHead(b: Uint8Array): Uint8Array {
  try {
    return gunzipSync(b, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch {
    return new Uint8Array(0);
  }
}

async function head(path: string, n = 1024): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Run a filesystem step; its failure (missing, unreadable, broken link) becomes a DataError. */
async function fsStep<T>(path: string, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    throw new DataError(path, `${what}: ${(e as Error).message}`);
  }
}

export interface ReadOptions {
  /** DICOM only: 'modality' (default, HU for CT) or 'stored' integers; see DicomReadOptions */
  dicomValues?: 'modality' | 'stored';
}

/** Read any supported image (file or folder) into a Volume; DataError on anything unreadable. */
export async function readVolume(path: string, options: ReadOptions = {}): Promise<Volume> {
  const dicom = { values: options.dicomValues ?? 'modality' } as const;
  const st = await fsStep(path, 'cannot access', () => stat(path));
  if (st.isDirectory()) {
    const names = (await fsStep(path, 'cannot list folder', () => readdir(path))).filter((n) => !n.startsWith('.')).sort();
    const kinds = new Set<DetectedFormat>();
    for (const n of names) {
      const p = join(path, n);
      const s = await stat(p).catch(() => null); // broken links and vanished files are not slices
      if (!s?.isFile()) continue;
      kinds.add(detectFormat(await fsStep(p, 'cannot read', () => head(p)), n));
    }
    if (kinds.has('dicom')) return readDicomSeries(path, dicom);
    if (kinds.has('png') || kinds.has('jpeg')) return readSliceFolder(path);
    throw new DataError(path, 'folder holds no DICOM, PNG or JPEG files');
  }
  const fmt = detectFormat(await fsStep(path, 'cannot read', () => head(path)), path);
  switch (fmt) {
    case 'dicom':
      return readDicomFile(path, dicom);
    case 'nifti':
      return readNifti(path);
    case 'png':
    case 'jpeg':
      return readSliceFolder(path);
    default:
      throw new DataError(path, 'unrecognised format (not DICOM, NIfTI, PNG or JPEG)');
  }
}
