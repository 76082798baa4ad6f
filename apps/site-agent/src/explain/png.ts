/**
 * Colour PNGs of explanations: 8-bit RGB encoding (pngjs), and the overlays drawn on a greyscale
 * slice (CAM heat map with boxes, signed superpixel maps for LIME / SHAP). Pure: bytes out.
 */
import { PNG } from 'pngjs';

/** An RGB image, 3 bytes per pixel, row-major. */
export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

export function encodeRgbPng(img: Rgb): Uint8Array {
  const { data, width, height } = img;
  if (data.length !== width * height * 3) throw new Error(`encodeRgbPng: ${data.length} bytes, expected ${width}×${height}×3`);
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, bitDepth: 8 }));
}

/** Decode any PNG to RGB (tests and the server's sanity checks). */
export function decodePngRgb(bytes: Uint8Array): Rgb {
  const png = PNG.sync.read(Buffer.from(bytes));
  const out = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = png.data[4 * i + c];
  return { data: out, width: png.width, height: png.height };
}

/** Grey [0, 1] (clamped) → RGB. */
export function greyToRgb(grey: ArrayLike<number>, width: number, height: number): Rgb {
  if (grey.length !== width * height) throw new Error(`greyToRgb: ${grey.length} values, expected ${width}×${height}`);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < grey.length; i++) {
    const g = Math.round(Math.min(1, Math.max(0, grey[i])) * 255);
    data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = g;
  }
  return { data, width, height };
}

/** The "jet" colour map at t ∈ [0, 1] (blue → cyan → yellow → red), as CAM figures usually use. */
export function jet(t: number): [number, number, number] {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  const v = Math.min(1, Math.max(0, t));
  return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

/**
 * Heat map over the slice: the map's positive part scaled by its maximum, blended with weight
 * `alpha · t` so zero evidence leaves the anatomy visible.
 */
export function heatOverlay(base: Rgb, heat: ArrayLike<number>, alpha = 0.6): Rgb {
  if (heat.length !== base.width * base.height) throw new Error(`heatOverlay: ${heat.length} values for a ${base.width}×${base.height} image`);
  let max = 0;
  for (let i = 0; i < heat.length; i++) if (heat[i] > max) max = heat[i];
  const data = Uint8Array.from(base.data);
  if (!(max > 0)) return { ...base, data };
  for (let i = 0; i < heat.length; i++) {
    const t = Math.max(0, heat[i]) / max;
    const [r, g, b] = jet(t);
    const a = alpha * t;
    data[3 * i] = Math.round((1 - a) * data[3 * i] + a * r);
    data[3 * i + 1] = Math.round((1 - a) * data[3 * i + 1] + a * g);
    data[3 * i + 2] = Math.round((1 - a) * data[3 * i + 2] + a * b);
  }
  return { ...base, data };
}

/**
 * Signed map over the slice (LIME weights, SHAP values spread on their superpixels): red for
 * evidence for the positive class, blue against, opacity ∝ |v| / max|v| (one scale for both signs,
 * so colours compare within a map).
 */
export function signedOverlay(base: Rgb, values: ArrayLike<number>, alpha = 0.65): Rgb {
  if (values.length !== base.width * base.height) throw new Error(`signedOverlay: ${values.length} values for a ${base.width}×${base.height} image`);
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  const data = Uint8Array.from(base.data);
  if (!(max > 0)) return { ...base, data };
  for (let i = 0; i < values.length; i++) {
    const v = values[i] / max;
    const a = alpha * Math.abs(v);
    const [r, g, b] = v >= 0 ? [220, 30, 30] : [30, 80, 230];
    data[3 * i] = Math.round((1 - a) * data[3 * i] + a * r);
    data[3 * i + 1] = Math.round((1 - a) * data[3 * i + 1] + a * g);
    data[3 * i + 2] = Math.round((1 - a) * data[3 * i + 2] + a * b);
  }
  return { ...base, data };
}

/** Outline of an inclusive box [x0, y0, x1, y1], one pixel wide, clipped to the image. */
export function drawBox(img: Rgb, box: readonly [number, number, number, number], colour: [number, number, number] = [0, 255, 0]): void {
  const [x0, y0, x1, y1] = box.map(Math.round);
  const set = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
    const o = 3 * (y * img.width + x);
    img.data[o] = colour[0];
    img.data[o + 1] = colour[1];
    img.data[o + 2] = colour[2];
  };
  for (let x = x0; x <= x1; x++) {
    set(x, y0);
    set(x, y1);
  }
  for (let y = y0; y <= y1; y++) {
    set(x0, y);
    set(x1, y);
  }
}

/** Outlines of the label regions (superpixel borders) in a colour, to read maps superpixel by superpixel. */
export function drawLabelBorders(img: Rgb, labels: Int32Array, colour: [number, number, number] = [255, 255, 0]): void {
  const { width, height } = img;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x];
      if ((x + 1 < width && labels[y * width + x + 1] !== l) || (y + 1 < height && labels[(y + 1) * width + x] !== l)) {
        const o = 3 * (y * width + x);
        img.data[o] = colour[0];
        img.data[o + 1] = colour[1];
        img.data[o + 2] = colour[2];
      }
    }
}
