/**
 * NIfTI-1 (348-byte) and NIfTI-2 (540-byte) header parsing, either byte order, and the voxel-to-world
 * affine chosen the way nibabel does: sform if sform_code > 0, else qform if qform_code > 0, else the
 * Analyze base affine. Pure: bytes in, header out.
 */
export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  dim: number[];
  datatype: number;
  bitpix: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: [number[], number[], number[]];
  xyztUnits: number;
  magic: string;
}

export class NiftiHeaderError extends Error {}

export function parseNiftiHeader(b: Uint8Array): NiftiHeader {
  if (b.length < 348) throw new NiftiHeaderError(`file of ${b.length} bytes is shorter than a NIfTI header`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = dv.getInt32(0, true);
  const be = dv.getInt32(0, false);
  const size = le === 348 || le === 540 ? le : be === 348 || be === 540 ? be : 0;
  if (!size) throw new NiftiHeaderError(`sizeof_hdr is ${le}, not 348 (NIfTI-1) or 540 (NIfTI-2)`);
  const L = le === size;
  if (size === 540) {
    if (b.length < 540) throw new NiftiHeaderError(`file of ${b.length} bytes is shorter than a NIfTI-2 header`);
    const i64 = (o: number) => Number(dv.getBigInt64(o, L));
    const f64 = (o: number) => dv.getFloat64(o, L);
    const magic = String.fromCharCode(...b.subarray(4, 7));
    if (magic !== 'n+2') throw new NiftiHeaderError(`NIfTI-2 magic is "${magic}", expected "n+2" (single-file)`);
    return {
      version: 2,
      littleEndian: L,
      datatype: dv.getInt16(12, L),
      bitpix: dv.getInt16(14, L),
      dim: Array.from({ length: 8 }, (_, i) => i64(16 + 8 * i)),
      pixdim: Array.from({ length: 8 }, (_, i) => f64(104 + 8 * i)),
      voxOffset: i64(168),
      sclSlope: f64(176),
      sclInter: f64(184),
      qformCode: dv.getInt32(344, L),
      sformCode: dv.getInt32(348, L),
      quatern: [f64(352), f64(360), f64(368)],
      qoffset: [f64(376), f64(384), f64(392)],
      srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f64(400 + 32 * r + 8 * c))) as [number[], number[], number[]],
      xyztUnits: dv.getInt32(500, L),
      magic,
    };
  }
  const f32 = (o: number) => dv.getFloat32(o, L);
  const magic = String.fromCharCode(...b.subarray(344, 347));
  if (magic !== 'n+1') throw new NiftiHeaderError(`NIfTI-1 magic is "${magic}", expected "n+1" (single-file .nii; .hdr/.img pairs are not supported)`);
  return {
    version: 1,
    littleEndian: L,
    dim: Array.from({ length: 8 }, (_, i) => dv.getInt16(40 + 2 * i, L)),
    datatype: dv.getInt16(70, L),
    bitpix: dv.getInt16(72, L),
    pixdim: Array.from({ length: 8 }, (_, i) => f32(76 + 4 * i)),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    xyztUnits: b[123],
    qformCode: dv.getInt16(252, L),
    sformCode: dv.getInt16(254, L),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c))) as [number[], number[], number[]],
    magic,
  };
}

/** qform rotation from quaternion (b, c, d) with a = sqrt(1 - b^2 - c^2 - d^2), NIfTI-1 header comments. */
export function qformAffine(h: NiftiHeader): number[] {
  let [b, c, d] = h.quatern;
  let a2 = 1 - (b * b + c * c + d * d);
  let a: number;
  if (a2 < 1e-7) {
    // 180-degree rotation: renormalise (b, c, d) as nibabel's fillpositive does
    const n = Math.hypot(b, c, d) || 1;
    b /= n;
    c /= n;
    d /= n;
    a = 0;
    a2 = 0;
  } else a = Math.sqrt(a2);
  const R = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  const qfac = h.pixdim[0] < 0 ? -1 : 1;
  const z = [h.pixdim[1], h.pixdim[2], h.pixdim[3] * qfac];
  const out: number[] = [];
  for (let r = 0; r < 3; r++) out.push(R[r][0] * z[0], R[r][1] * z[1], R[r][2] * z[2], h.qoffset[r]);
  out.push(0, 0, 0, 1);
  return out;
}

/** The affine nibabel's get_best_affine returns, row-major 4x4. */
export function bestAffine(h: NiftiHeader): number[] {
  if (h.sformCode > 0) return [...h.srow[0], ...h.srow[1], ...h.srow[2], 0, 0, 0, 1];
  if (h.qformCode > 0) return qformAffine(h);
  // Analyze base affine: x flipped, origin at the volume centre
  const zx = h.pixdim[1], zy = h.pixdim[2], zz = h.pixdim[3];
  const ox = ((h.dim[1] || 1) - 1) / 2, oy = ((h.dim[2] || 1) - 1) / 2, oz = ((h.dim[3] || 1) - 1) / 2;
  return [-zx, 0, 0, ox * zx, 0, zy, 0, -oy * zy, 0, 0, zz, -oz * zz, 0, 0, 0, 1];
}
