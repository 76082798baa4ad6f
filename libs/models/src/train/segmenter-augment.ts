/**
 * Segmenter training augmentation (paper 4.2.2: horizontal flip with probability 0.5, brightness
 * scaled by a factor drawn from [0.8, 1.2]), applied to the cached preprocessed slices of every
 * batch with a fresh draw per slice and step, instead of one frozen draw per scan at load time.
 *
 * A horizontal flip turns the patient's left lateral ventricle into the right one, so the label
 * map must swap the left/right classes (1 ↔ 2) as well as move its pixels; flipping the pixels
 * alone teaches the network that either side can be "left" (the bug this module fixes).
 * Pure: no tfjs, no I/O.
 */
import type { SegImage } from './datasets.js';
import { viewRng } from './train-classifier.js';

export interface SegAugmentOptions {
  flipProbability: number;
  /** brightness factor range, multiplied into the preprocessed (z-scored) values */
  brightness: readonly [number, number];
  /** label pairs that a horizontal flip exchanges (left/right structures) */
  mirrorPairs: readonly (readonly [number, number])[];
}

/** Paper 4.2.2 with the ventricle labels of the segmenter: 1 left lateral ↔ 2 right lateral. */
export const PAPER_SEG_AUGMENT: Readonly<SegAugmentOptions> = Object.freeze({
  flipProbability: 0.5,
  brightness: [0.8, 1.2] as const,
  mirrorPairs: [[1, 2] as const],
});

export interface SegAugmentDraw {
  flip: boolean;
  brightness: number;
}

export function drawSegAugment(r: () => number, o: SegAugmentOptions): SegAugmentDraw {
  const flip = r() < o.flipProbability;
  return { flip, brightness: o.brightness[0] + (o.brightness[1] - o.brightness[0]) * r() };
}

/** A size × size label map flipped left↔right, with the mirror pairs' labels exchanged. */
export function flipLabelMap(mask: ArrayLike<number>, size: number, pairs: SegAugmentOptions['mirrorPairs']): Uint8Array {
  if (mask.length !== size * size) throw new RangeError(`label map has ${mask.length} values, expected ${size}×${size}`);
  const swap = new Uint8Array(256).map((_, i) => i);
  for (const [a, b] of pairs) {
    swap[a] = b;
    swap[b] = a;
  }
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = mask[y * size + (size - 1 - x)];
      if (v < 0 || v > 255 || !Number.isInteger(v)) throw new RangeError(`label ${v} is not a class index 0..255`);
      out[y * size + x] = swap[v];
    }
  }
  return out;
}

/** Labels of an already pixel-flipped map swapped in place (for data flipped by the preprocessing). */
export function swapMirrorLabels(mask: Uint8Array | Int32Array, pairs: SegAugmentOptions['mirrorPairs']): void {
  for (let i = 0; i < mask.length; i++) {
    for (const [a, b] of pairs) {
      if (mask[i] === a) { mask[i] = b; break; }
      if (mask[i] === b) { mask[i] = a; break; }
    }
  }
}

/** One slice (size × size × channels, NHWC) as the draw makes it; the cached input is not changed. */
export function augmentSegImage(im: SegImage, d: SegAugmentDraw, o: SegAugmentOptions): SegImage {
  const { size, channels } = im;
  const data = new Float32Array(im.data.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + (d.flip ? size - 1 - x : x)) * channels;
      const to = (y * size + x) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = im.data[from + c] * d.brightness;
    }
  }
  const mask = im.mask ? (d.flip ? flipLabelMap(im.mask, size, o.mirrorPairs) : im.mask) : undefined;
  return { ...im, data, ...(mask ? { mask } : {}) };
}

/**
 * The batch of step `step` as trained: one draw per slice from the step's own generator
 * viewRng(seed, step) (the classifier's too), so a resumed run draws what the uninterrupted one
 * drew without replaying earlier steps.
 */
export function augmentSegBatch(images: SegImage[], seed: number, step: number, o: SegAugmentOptions): SegImage[] {
  const r = viewRng(seed, step);
  return images.map((im) => augmentSegImage(im, drawSegAugment(r, o), o));
}
