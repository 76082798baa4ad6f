/**
 * The one in-memory image type every reader returns and every consumer takes.
 *
 * Layout of `data`: slices (frames) outermost, then rows, then columns, then channels: the order the
 * `--raw` dump of `unbox-site data inspect` writes. Values are the modality's real-world values
 * (Hounsfield units for CT after rescale slope/intercept; scaled values for NIfTI).
 */
export interface Volume {
  data: Float32Array;
  slices: number;
  rows: number;
  columns: number;
  channels: number;
  /** millimetres: [between rows (y), between columns (x), between slice centres (z)]. */
  spacing: [number, number, number];
  /** nominal slice thickness in mm (DICOM SliceThickness; NIfTI pixdim[3] when absent). */
  sliceThickness: number | null;
  /** 'CT' | 'MR' | 'OT' ... as DICOM Modality; null when the format does not say. */
  modality: string | null;
  /** 4x4 row-major voxel (column, row, slice) -> patient/world mm; null when unknown. */
  affine: number[] | null;
  /** source description: format, transfer syntax, photometric interpretation, file(s). */
  source: VolumeSource;
}

export interface VolumeSource {
  format: 'dicom' | 'nifti' | 'png' | 'jpeg';
  files: string[];
  transferSyntax?: string;
  photometric?: string;
  [key: string]: unknown;
}

/** A volume's shape and header facts without its voxels (what `data check` and `data inspect` report). */
export type VolumeHeader = Pick<Volume, 'slices' | 'rows' | 'columns' | 'channels' | 'spacing' | 'sliceThickness' | 'modality'>;

/** Index of voxel (slice, row, column, channel) in Volume.data. */
export function voxelIndex(v: Pick<Volume, 'rows' | 'columns' | 'channels'>, s: number, r: number, c: number, ch = 0): number {
  return ((s * v.rows + r) * v.columns + c) * v.channels + ch;
}

/** One slice (rows x columns x channels) as a view, no copy. */
export function sliceView(v: Volume, s: number): Float32Array {
  const n = v.rows * v.columns * v.channels;
  return v.data.subarray(s * n, (s + 1) * n);
}

/** Raised for any input that cannot be read; always names the file and the reason. */
export class DataError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'DataError';
  }
}
