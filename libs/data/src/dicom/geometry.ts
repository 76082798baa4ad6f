/** Patient-space geometry from DICOM Image Plane attributes (PS3.3 C.7.6.2). Pure. */

export type Vec3 = [number, number, number];

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Slice normal: row direction x column direction of ImageOrientationPatient. */
export function sliceNormal(iop: readonly number[]): Vec3 {
  return cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]);
}

/**
 * 4x4 row-major affine mapping voxel (column, row, slice) to patient mm. IOP[0..2] is the direction
 * of increasing column index, IOP[3..5] of increasing row; PixelSpacing is [row spacing, column spacing].
 */
export function dicomAffine(iop: readonly number[], ipp: readonly number[], pixelSpacing: readonly [number, number], sliceStep: Vec3): number[] {
  const [dr, dc] = pixelSpacing;
  return [
    iop[0] * dc, iop[3] * dr, sliceStep[0], ipp[0],
    iop[1] * dc, iop[4] * dr, sliceStep[1], ipp[1],
    iop[2] * dc, iop[5] * dr, sliceStep[2], ipp[2],
    0, 0, 0, 1,
  ];
}
