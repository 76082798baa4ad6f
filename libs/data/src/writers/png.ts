/** 8-bit greyscale PNG slices (for the CC-CCII folder layout). Pure. */
import { PNG } from 'pngjs';

/** Map values through a display window [center - width/2, center + width/2] to 0..255 (rounded, clamped). */
export function windowToGray(values: ArrayLike<number>, center: number, width: number): Uint8Array {
  if (!(width > 0)) throw new Error(`window width must be > 0, got ${width}`);
  const lo = center - width / 2;
  const s = 255 / width;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const g = Math.round((values[i] - lo) * s);
    out[i] = g < 0 ? 0 : g > 255 ? 255 : g;
  }
  return out;
}

/** A greyscale (colour type 0), 8-bit PNG of rows x columns bytes. */
export function encodeGrayPng(gray: Uint8Array, rows: number, columns: number): Uint8Array {
  if (gray.length !== rows * columns) throw new Error(`PNG needs ${rows}x${columns} values, got ${gray.length}`);
  const png = new PNG({ width: columns, height: rows });
  for (let i = 0; i < gray.length; i++) {
    const o = 4 * i;
    png.data[o] = png.data[o + 1] = png.data[o + 2] = gray[i];
    png.data[o + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, bitDepth: 8 }));
}
