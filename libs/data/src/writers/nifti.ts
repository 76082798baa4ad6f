/**
 * NIfTI-1 single-file images (.nii, and .nii.gz through gzip), little endian, with both the
 * qform (quaternion) and the sform (affine rows) set to the same RAS+ mm mapping. Pure.
 * Header layout and the quaternion conversion follow nifti1.h / nifti1_io.c (nifti_mat44_to_quatern).
 */
import { gzipSync } from 'node:zlib';

export type NiftiDatatype = 'uint8' | 'int16' | 'float32';

const DT: Record<NiftiDatatype, { code: number; bitpix: number }> = {
  uint8: { code: 2, bitpix: 8 },
  int16: { code: 4, bitpix: 16 },
  float32: { code: 16, bitpix: 32 },
};

export const NIFTI_INTENT_LABEL = 1002;

export interface NiftiSpec {
  /** voxel values, i (columns) fastest, then j (rows), then k (slices): Volume.data order. */
  data: Uint8Array | Int16Array | Float32Array;
  /** [i, j, k] sizes: columns, rows, slices. */
  dims: [number, number, number];
  /** 4x4 row-major voxel (i, j, k) -> RAS+ mm. Must be a rotation times positive/negative scales (no shear). */
  affine: number[];
  /** real value = stored * slope + inter; slope 0 means "no scaling" in NIfTI, so use 1. */
  sclSlope?: number;
  sclInter?: number;
  intentCode?: number;
  description?: string;
}

function datatypeOf(data: NiftiSpec['data']): NiftiDatatype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  return 'float32';
}

/** Quaternion parameters (b, c, d), offsets and qfac of an affine, as nifti_mat44_to_quatern. */
export function affineToQuatern(a: readonly number[]): { b: number; c: number; d: number; qx: number; qy: number; qz: number; dx: number; dy: number; dz: number; qfac: number } {
  let r11 = a[0], r12 = a[1], r13 = a[2];
  let r21 = a[4], r22 = a[5], r23 = a[6];
  let r31 = a[8], r32 = a[9], r33 = a[10];
  const dx = Math.hypot(r11, r21, r31);
  const dy = Math.hypot(r12, r22, r32);
  const dz = Math.hypot(r13, r23, r33);
  if (dx === 0 || dy === 0 || dz === 0) throw new Error('affine has a zero-length axis');
  r11 /= dx; r21 /= dx; r31 /= dx;
  r12 /= dy; r22 /= dy; r32 /= dy;
  r13 /= dz; r23 /= dz; r33 /= dz;
  const det = r11 * r22 * r33 - r11 * r32 * r23 - r21 * r12 * r33 + r21 * r32 * r13 + r31 * r12 * r23 - r31 * r22 * r13;
  let qfac = 1;
  if (det < 0) {
    qfac = -1;
    r13 = -r13; r23 = -r23; r33 = -r33;
  }
  let qa = r11 + r22 + r33 + 1;
  let b: number, c: number, d: number;
  if (qa > 0.5) {
    qa = 0.5 * Math.sqrt(qa);
    b = (0.25 * (r32 - r23)) / qa;
    c = (0.25 * (r13 - r31)) / qa;
    d = (0.25 * (r21 - r12)) / qa;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      qa = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      qa = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      qa = (0.25 * (r21 - r12)) / d;
    }
    if (qa < 0) {
      b = -b; c = -c; d = -d;
    }
  }
  return { b, c, d, qx: a[3], qy: a[7], qz: a[11], dx, dy, dz, qfac };
}

/** The bytes of a .nii file: 348-byte header, 4-byte empty extension flag, data at offset 352. */
export function encodeNifti1(spec: NiftiSpec): Uint8Array {
  const [nx, ny, nz] = spec.dims;
  for (const n of spec.dims) if (!Number.isInteger(n) || n < 1 || n > 32767) throw new Error(`NIfTI dimension ${n} is not an integer in 1..32767`);
  if (spec.data.length !== nx * ny * nz) throw new Error(`NIfTI data has ${spec.data.length} values, expected ${nx}x${ny}x${nz}`);
  if (spec.affine.length !== 16) throw new Error('affine must have 16 numbers (4x4 row-major)');
  const dt = DT[datatypeOf(spec.data)];
  const bytesPer = dt.bitpix / 8;
  const out = new Uint8Array(352 + spec.data.length * bytesPer);
  const v = new DataView(out.buffer);
  const q = affineToQuatern(spec.affine);
  v.setInt32(0, 348, true);
  out[38] = 'r'.charCodeAt(0);
  out[39] = 1 | (2 << 2) | (3 << 4); // dim_info: freq = i, phase = j, slice = k
  const dim = [3, nx, ny, nz, 1, 1, 1, 1];
  dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
  v.setInt16(68, spec.intentCode ?? 0, true);
  v.setInt16(70, dt.code, true);
  v.setInt16(72, dt.bitpix, true);
  const pixdim = [q.qfac, q.dx, q.dy, q.dz, 0, 0, 0, 0];
  pixdim.forEach((p, i) => v.setFloat32(76 + 4 * i, p, true));
  v.setFloat32(108, 352, true); // vox_offset
  v.setFloat32(112, spec.sclSlope ?? 1, true);
  v.setFloat32(116, spec.sclInter ?? 0, true);
  v.setInt16(120, nz - 1, true); // slice_end
  out[123] = 2; // xyzt_units: NIFTI_UNITS_MM
  const desc = (spec.description ?? '').slice(0, 79);
  for (let i = 0; i < desc.length; i++) out[148 + i] = desc.charCodeAt(i) & 0x7f;
  v.setInt16(252, 1, true); // qform_code: NIFTI_XFORM_SCANNER_ANAT
  v.setInt16(254, 1, true); // sform_code: NIFTI_XFORM_SCANNER_ANAT
  v.setFloat32(256, q.b, true);
  v.setFloat32(260, q.c, true);
  v.setFloat32(264, q.d, true);
  v.setFloat32(268, q.qx, true);
  v.setFloat32(272, q.qy, true);
  v.setFloat32(276, q.qz, true);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, spec.affine[4 * r + c], true);
  out.set([0x6e, 0x2b, 0x31, 0x00], 344); // "n+1\0"
  // extension flag bytes 348..351 stay 0: no extensions.
  const d = spec.data;
  if (d instanceof Uint8Array) out.set(d, 352);
  else if (d instanceof Int16Array) for (let i = 0; i < d.length; i++) v.setInt16(352 + 2 * i, d[i], true);
  else for (let i = 0; i < d.length; i++) v.setFloat32(352 + 4 * i, d[i], true);
  return out;
}

/** .nii.gz bytes (gzip header mtime is 0 in Node's zlib, so the output is deterministic). */
export function encodeNifti1Gz(spec: NiftiSpec, level = 6): Uint8Array {
  return new Uint8Array(gzipSync(encodeNifti1(spec), { level }));
}

/**
 * RAS+ affine of a grid given in DICOM patient space (LPS): the same physical voxel, x and y negated.
 * `lps` is 4x4 row-major voxel (column, row, slice) -> LPS mm.
 */
export function lpsToRasAffine(lps: readonly number[]): number[] {
  const a = [...lps];
  for (let c = 0; c < 4; c++) {
    a[c] = -a[c];
    a[4 + c] = -a[4 + c];
  }
  return a;
}

/** LPS affine of an axial grid: column step along +x, row step along +y, slice step along +z. */
export function axialLpsAffine(spacing: { row: number; column: number; slice: number }, origin: [number, number, number]): number[] {
  return [spacing.column, 0, 0, origin[0], 0, spacing.row, 0, origin[1], 0, 0, spacing.slice, origin[2], 0, 0, 0, 1];
}
