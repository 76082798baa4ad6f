/** One PNG or JPEG slice to channel-interleaved values (exact stored values, no rescaling). Pure. */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

export interface SliceImage {
  width: number;
  height: number;
  /** 1 for grey (or colour images whose channels are all equal), else 3; alpha is dropped */
  channels: 1 | 3;
  data: Float32Array;
  format: 'png' | 'jpeg';
  bitDepth: number;
}

function fromRgba(rgba: ArrayLike<number>, width: number, height: number, grey: boolean, format: 'png' | 'jpeg', bitDepth: number, stride = 4): SliceImage {
  const n = width * height;
  let isGrey = grey;
  if (!isGrey) {
    isGrey = true;
    for (let p = 0; p < n && isGrey; p++) {
      const r = rgba[p * stride];
      if (rgba[p * stride + 1] !== r || rgba[p * stride + 2] !== r) isGrey = false;
    }
  }
  const channels = isGrey ? 1 : 3;
  const data = new Float32Array(n * channels);
  for (let p = 0; p < n; p++) for (let c = 0; c < channels; c++) data[p * channels + c] = rgba[p * stride + c];
  return { width, height, channels, data, format, bitDepth };
}

export function decodePng(bytes: Uint8Array): SliceImage {
  // skipRescale keeps 16-bit (and 1/2/4-bit) samples at their stored values
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  const grey = png.colorType === 0 || png.colorType === 4;
  return fromRgba(png.data as unknown as ArrayLike<number>, png.width, png.height, grey, 'png', png.depth);
}

export function decodeJpeg(bytes: Uint8Array): SliceImage {
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  return fromRgba(img.data, img.width, img.height, false, 'jpeg', 8, 3);
}
