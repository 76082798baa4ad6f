import { assertShape, type Image2D, type Mask2D } from './image.js';
import type { Rng } from './rng.js';

/** A crop box in pixels: top row, left column, height, width. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface RandomCropOptions {
  /** fraction of the image area, paper 4.1.2: [0.9, 1.0]. */
  scale: readonly [number, number];
  /** width / height, paper 4.1.2: [3/4, 4/3]. */
  ratio: readonly [number, number];
}

export const PAPER_CROP: Readonly<RandomCropOptions> = Object.freeze({ scale: [0.9, 1.0] as const, ratio: [3 / 4, 4 / 3] as const });

/** Python 3's round(): half to even (torchvision's crop sizes go through it). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * torchvision.transforms.RandomResizedCrop.get_params: up to 10 tries of area ~ U(scale) * H*W and
 * aspect ~ exp(U(log ratio)); w = round(sqrt(area * aspect)), h = round(sqrt(area / aspect)); the first
 * box that fits is placed uniformly. If none fits, the fallback is a centre crop of the whole image,
 * narrowed to the nearest allowed aspect ratio when the image's own ratio is outside `ratio`.
 */
export function sampleCropBox(rng: Rng, height: number, width: number, opts: RandomCropOptions = PAPER_CROP): CropBox {
  const [s0, s1] = opts.scale;
  const [r0, r1] = opts.ratio;
  if (!(s0 > 0 && s0 <= s1 && r0 > 0 && r0 <= r1)) throw new RangeError(`bad crop ranges scale=[${s0}, ${s1}] ratio=[${r0}, ${r1}]`);
  const area = height * width;
  const logR0 = Math.log(r0);
  const logR1 = Math.log(r1);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(s0, s1);
    const aspect = Math.exp(rng.uniform(logR0, logR1));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { top: rng.int(0, height - h + 1), left: rng.int(0, width - w + 1), height: h, width: w };
    }
  }
  return centreFallback(height, width, r0, r1);
}

export function centreFallback(height: number, width: number, r0: number, r1: number): CropBox {
  const inRatio = width / height;
  let w: number;
  let h: number;
  if (inRatio < r0) {
    w = width;
    h = roundHalfEven(w / r0);
  } else if (inRatio > r1) {
    h = height;
    w = roundHalfEven(h * r1);
  } else {
    w = width;
    h = height;
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

function checkBox(box: CropBox, rows: number, columns: number): void {
  const { top, left, height, width } = box;
  if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > rows || left + width > columns) {
    throw new RangeError(`crop box ${JSON.stringify(box)} outside a ${rows}x${columns} image`);
  }
}

export function crop(img: Image2D, box: CropBox): Image2D {
  assertShape(img);
  checkBox(box, img.rows, img.columns);
  const { top, left, height, width } = box;
  const ch = img.channels;
  const out = new Float32Array(height * width * ch);
  for (let r = 0; r < height; r++) {
    const src = ((top + r) * img.columns + left) * ch;
    out.set(img.data.subarray(src, src + width * ch), r * width * ch);
  }
  return { data: out, rows: height, columns: width, channels: ch };
}

/** The same box cut from a mask (e.g. lesion masks following the lung crop of their image). */
export function cropMask(mask: Mask2D, box: CropBox): Mask2D {
  checkBox(box, mask.rows, mask.columns);
  const { top, left, height, width } = box;
  const out = new Uint8Array(height * width);
  for (let r = 0; r < height; r++) out.set(mask.data.subarray((top + r) * mask.columns + left, (top + r) * mask.columns + left + width), r * width);
  return { data: out, rows: height, columns: width };
}
