/**
 * Test-only: the smallest valid NIfTI-1 file (348-byte header, 4 extension bytes, float32 or uint8
 * voxels, little endian, identity-scaled sform). Written by hand from nifti1.h so the manifest tests
 * exercise the real reader on real files without depending on the phantom writers.
 */
export function tinyNifti(columns: number, rows: number, slices: number, values: (i: number) => number, datatype: 'float32' | 'uint8' = 'float32', spacing: [number, number, number] = [1, 1, 2]): Uint8Array {
  const n = columns * rows * slices;
  const bytesPer = datatype === 'float32' ? 4 : 1;
  const buf = new ArrayBuffer(352 + n * bytesPer);
  const v = new DataView(buf);
  v.setInt32(0, 348, true);
  [3, columns, rows, slices, 1, 1, 1, 1].forEach((d, k) => v.setInt16(40 + 2 * k, d, true));
  v.setInt16(70, datatype === 'float32' ? 16 : 2, true);
  v.setInt16(72, bytesPer * 8, true);
  [1, spacing[1], spacing[0], spacing[2], 1, 1, 1, 1].forEach((p, k) => v.setFloat32(76 + 4 * k, p, true));
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 1, true);
  v.setUint8(123, 2); // mm
  v.setInt16(254, 1, true); // sform_code: scanner
  const srow = [
    [spacing[1], 0, 0, 0],
    [0, spacing[0], 0, 0],
    [0, 0, spacing[2], 0],
  ];
  srow.flat().forEach((x, k) => v.setFloat32(280 + 4 * k, x, true));
  [0x6e, 0x2b, 0x31, 0].forEach((b, k) => v.setUint8(344 + k, b));
  for (let i = 0; i < n; i++) {
    if (datatype === 'float32') v.setFloat32(352 + 4 * i, values(i), true);
    else v.setUint8(352 + i, values(i));
  }
  return new Uint8Array(buf);
}
