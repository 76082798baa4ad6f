import type { Image2D } from './image.js';

/** A CT display window in Hounsfield units. */
export interface CtWindow {
  level: number;
  width: number;
}

/**
 * Default lung window (level -600 HU, width 1500 HU: -1350 .. 150 HU), the usual radiology
 * setting for lung parenchyma and ground-glass opacities, which the classifier must see.
 */
export const LUNG_WINDOW: Readonly<CtWindow> = Object.freeze({ level: -600, width: 1500 });

/**
 * Map HU linearly to [0, 1]: (x - (level - width/2)) / width, clamped. (The plain linear window;
 * DICOM's VOI LUT formula differs by half a unit, which does not matter for a network input.)
 */
export function windowCt(img: Image2D, win: CtWindow = LUNG_WINDOW): Image2D {
  if (!(win.width > 0)) throw new RangeError(`window width must be > 0 HU, got ${win.width}`);
  const lo = win.level - win.width / 2;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = (img.data[i] - lo) / win.width;
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { ...img, data: out };
}
