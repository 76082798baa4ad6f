/**
 * NIfTI-1/-2 single-file images (.nii, .nii.gz) to a Volume: i -> column, j -> row, k -> slice; any
 * 4th and higher dimension (time, vector components) becomes channels, as do RGB voxel types.
 * Values are scaled by scl_slope/scl_inter when scl_slope is non-zero and finite (NIfTI-1 header).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataError, type Volume } from '../volume.js';
import { bestAffine, parseNiftiHeader, NiftiHeaderError, type NiftiHeader } from './header.js';

/** NIfTI datatype code -> bytes per value and reader. */
const TYPES: Record<number, { name: string; bytes: number; components: number; read: (dv: DataView, o: number, le: boolean) => number }> = {
  2: { name: 'uint8', bytes: 1, components: 1, read: (dv, o) => dv.getUint8(o) },
  4: { name: 'int16', bytes: 2, components: 1, read: (dv, o, le) => dv.getInt16(o, le) },
  8: { name: 'int32', bytes: 4, components: 1, read: (dv, o, le) => dv.getInt32(o, le) },
  16: { name: 'float32', bytes: 4, components: 1, read: (dv, o, le) => dv.getFloat32(o, le) },
  64: { name: 'float64', bytes: 8, components: 1, read: (dv, o, le) => dv.getFloat64(o, le) },
  128: { name: 'rgb24', bytes: 1, components: 3, read: (dv, o) => dv.getUint8(o) },
  256: { name: 'int8', bytes: 1, components: 1, read: (dv, o) => dv.getInt8(o) },
  512: { name: 'uint16', bytes: 2, components: 1, read: (dv, o, le) => dv.getUint16(o, le) },
  768: { name: 'uint32', bytes: 4, components: 1, read: (dv, o, le) => dv.getUint32(o, le) },
  1024: { name: 'int64', bytes: 8, components: 1, read: (dv, o, le) => Number(dv.getBigInt64(o, le)) },
  1280: { name: 'uint64', bytes: 8, components: 1, read: (dv, o, le) => Number(dv.getBigUint64(o, le)) },
  2304: { name: 'rgba32', bytes: 1, components: 4, read: (dv, o) => dv.getUint8(o) },
};

const UNIT_TO_MM: Record<number, number> = { 1: 1000, 2: 1, 3: 0.001 };

export function decodeNifti(bytes: Uint8Array, file: string): Volume {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new DataError(file, `gzip stream is corrupt or truncated: ${(e as Error).message}`);
    }
  }
  let h: NiftiHeader;
  try {
    h = parseNiftiHeader(b);
  } catch (e) {
    if (e instanceof NiftiHeaderError) throw new DataError(file, e.message);
    throw e;
  }
  const t = TYPES[h.datatype];
  if (!t) throw new DataError(file, `NIfTI datatype ${h.datatype} is not supported (complex or float128)`);
  const nd = h.dim[0];
  if (nd < 1 || nd > 7) throw new DataError(file, `dim[0] = ${nd} is outside 1..7`);
  const dims = h.dim.slice(1, nd + 1).map((d) => Math.max(d, 1));
  if (dims.some((d) => !Number.isFinite(d) || d < 1)) throw new DataError(file, `invalid dimensions ${h.dim.slice(1, nd + 1).join('x')}`);
  const [nx, ny = 1, nz = 1] = dims;
  const extra = dims.slice(3).reduce((a, d) => a * d, 1);
  const perVoxel = t.components;
  const voxels = nx * ny * nz;
  const count = voxels * extra * perVoxel;
  const headerSize = h.version === 1 ? 348 : 540;
  const offset = Math.floor(h.voxOffset) || headerSize + 4;
  if (!(offset >= headerSize)) throw new DataError(file, `vox_offset ${h.voxOffset} points inside the ${headerSize}-byte header`);
  if (!Number.isSafeInteger(count) || count <= 0) throw new DataError(file, `invalid dimensions ${dims.join('x')}`);
  const need = offset + count * t.bytes;
  if (b.length < need) throw new DataError(file, `image data is truncated: ${b.length} bytes, ${need} needed for ${dims.join('x')} ${t.name}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const channels = extra * perVoxel;
  const data = new Float32Array(voxels * channels);
  const scale = h.sclSlope !== 0 && Number.isFinite(h.sclSlope) && perVoxel === 1;
  const m = h.sclSlope;
  const c0 = Number.isFinite(h.sclInter) ? h.sclInter : 0;
  // File order: x fastest, then y, z, then the extra dimensions; RGB components interleaved per voxel.
  for (let e = 0; e < extra; e++) {
    for (let v = 0; v < voxels; v++) {
      for (let k = 0; k < perVoxel; k++) {
        const src = ((e * voxels + v) * perVoxel + k) * t.bytes + offset;
        let x = t.read(dv, src, h.littleEndian);
        if (scale) x = x * m + c0;
        data[v * channels + e * perVoxel + k] = x;
      }
    }
  }
  const unit = UNIT_TO_MM[h.xyztUnits & 7] ?? 1;
  // pixdim may be negative (Analyze-style flips): the spacing is its size
  const px = (i: number) => (Number.isFinite(h.pixdim[i]) && h.pixdim[i] !== 0 ? Math.abs(h.pixdim[i]) * unit : 1);
  return {
    data,
    slices: nz,
    rows: ny,
    columns: nx,
    channels,
    spacing: [px(2), px(1), px(3)],
    sliceThickness: px(3),
    modality: null,
    affine: bestAffine(h),
    source: {
      format: 'nifti',
      files: [file],
      niftiVersion: h.version,
      datatype: t.name,
      littleEndian: h.littleEndian,
      dim: dims,
      sclSlope: h.sclSlope,
      sclInter: h.sclInter,
      qformCode: h.qformCode,
      sformCode: h.sformCode,
    },
  };
}

export async function readNifti(path: string): Promise<Volume> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DataError(path, `cannot read: ${(e as Error).message}`);
  }
  return decodeNifti(bytes, path);
}
