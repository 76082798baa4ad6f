import type { Image2D, Mask2D } from './image.js';

/** Mirror left-right (reverse the column order of every row), all channels kept together. */
export function flipHorizontal(img: Image2D): Image2D {
  const { rows, columns, channels } = img;
  const out = new Float32Array(img.data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const src = (r * columns + c) * channels;
      const dst = (r * columns + (columns - 1 - c)) * channels;
      for (let k = 0; k < channels; k++) out[dst + k] = img.data[src + k];
    }
  }
  return { ...img, data: out };
}

export function flipMaskHorizontal(mask: Mask2D): Mask2D {
  const { rows, columns } = mask;
  const out = new Uint8Array(mask.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[r * columns + columns - 1 - c] = mask.data[r * columns + c];
  return { ...mask, data: out };
}
