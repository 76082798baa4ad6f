/** Writing encoded images to disk: a DICOM series folder, a NIfTI file (.nii or .nii.gz by name). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { encodeDicomSeries, type DicomSeriesSpec } from './dicom.js';
import { encodeNifti1, encodeNifti1Gz, type NiftiSpec } from './nifti.js';

/** Writes `IM0001.dcm`, `IM0002.dcm`, ... (slice order) into `dir`; returns the file paths. */
export async function writeDicomSeries(dir: string, spec: DicomSeriesSpec): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = encodeDicomSeries(spec);
  const width = Math.max(4, String(files.length).length);
  const paths = files.map((_, k) => join(dir, `IM${String(k + 1).padStart(width, '0')}.dcm`));
  await Promise.all(files.map((f, k) => writeFile(paths[k], f.bytes)));
  return paths;
}

/** `gzipLevel` (1 fastest .. 9 smallest) applies to .nii.gz only. */
export async function writeNifti(path: string, spec: NiftiSpec, gzipLevel = 6): Promise<void> {
  if (!/\.nii(\.gz)?$/i.test(path)) throw new Error(`${path}: a NIfTI file name must end in .nii or .nii.gz`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, /\.gz$/i.test(path) ? encodeNifti1Gz(spec, gzipLevel) : encodeNifti1(spec));
}
