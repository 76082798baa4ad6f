/**
 * A 2-D image (one slice) as the preprocessing functions take it: the same layout as one slice of
 * a Volume (rows, then columns, then channels), values as Float32.
 */
export interface Image2D {
  data: Float32Array;
  rows: number;
  columns: number;
  channels: number;
}

/** A binary or label mask on the pixel grid of an image (rows x columns, one byte per pixel). */
export interface Mask2D {
  data: Uint8Array;
  rows: number;
  columns: number;
}

export function image(rows: number, columns: number, channels = 1, data?: ArrayLike<number>): Image2D {
  const n = rows * columns * channels;
  if (data !== undefined && data.length !== n) throw new RangeError(`image data has ${data.length} values, expected ${rows}x${columns}x${channels} = ${n}`);
  return { data: data === undefined ? new Float32Array(n) : Float32Array.from(data), rows, columns, channels };
}

/** Throws unless the image's data length matches its shape (catches mixed-up shapes early). */
export function assertShape(img: Image2D): void {
  if (img.rows <= 0 || img.columns <= 0 || img.channels <= 0 || img.data.length !== img.rows * img.columns * img.channels) {
    throw new RangeError(`bad image shape ${img.rows}x${img.columns}x${img.channels} for ${img.data.length} values`);
  }
}
