/**
 * Test-only: a minimal NIfTI-1 file written by hand from nifti1.h (348-byte header, 4 extension
 * bytes, float32 voxels, little endian, sform = diag(spacing)), so the CLI tests run the real
 * readers on real files.
 */
export function tinyNifti(columns: number, rows: number, slices: number, values: (i: number) => number, spacing: [number, number, number] = [0.5, 0.75, 3]): Uint8Array {
  const n = columns * rows * slices;
  const buf = new ArrayBuffer(352 + 4 * n);
  const v = new DataView(buf);
  v.setInt32(0, 348, true);
  [3, columns, rows, slices, 1, 1, 1, 1].forEach((d, k) => v.setInt16(40 + 2 * k, d, true));
  v.setInt16(70, 16, true); // float32
  v.setInt16(72, 32, true);
  // pixdim[1..3] = x (between columns), y (between rows), z; spacing is [rows, columns, slices].
  [1, spacing[1], spacing[0], spacing[2], 1, 1, 1, 1].forEach((p, k) => v.setFloat32(76 + 4 * k, p, true));
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 1, true);
  v.setUint8(123, 2);
  v.setInt16(254, 1, true);
  [spacing[1], 0, 0, 0, 0, spacing[0], 0, 0, 0, 0, spacing[2], 0].forEach((x, k) => v.setFloat32(280 + 4 * k, x, true));
  [0x6e, 0x2b, 0x31, 0].forEach((b, k) => v.setUint8(344 + k, b));
  for (let i = 0; i < n; i++) v.setFloat32(352 + 4 * i, values(i), true);
  return new Uint8Array(buf);
}
