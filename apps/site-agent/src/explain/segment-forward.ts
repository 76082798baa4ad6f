/**
 * The segmenter's forward pass over slices, batched: softmax probabilities (optional), argmax class
 * map, pooled deepest encoder features and mean Dice against any label map. One implementation for
 * `explain` (overlays, latent Dice map) and `serve` (dashboard overlays, site Dice map).
 */
import * as tf from '@tensorflow/tfjs';
import { backboneOf, dicePerClass, nanMean, type SegImage } from '@unbox/models';
import type { SegmentTrainConfig } from '../training/config.js';
import type { SiteModel } from './site-model.js';

/** Class names of the head phantom and the paper's ventricle labels (section 4.2.1). */
export const VENTRICLES = ['left lateral ventricle', 'right lateral ventricle', 'third ventricle', 'fourth ventricle'];
/** Distinct colours of classes 1, 2, … (class 0, background, is never painted). */
export const CLASS_COLOURS: [number, number, number][] = [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180]];
export const classColour = (c: number) => CLASS_COLOURS[(c - 1) % CLASS_COLOURS.length];

export interface SegmentedSlice {
  id: string;
  /** argmax class per pixel (size × size) */
  classes: Uint8Array;
  /** pooled deepest encoder features */
  features: Float32Array;
  /** mean Dice over the classes present, when the slice has a label map and it is defined */
  dice: number | null;
  /** softmax per pixel and class (size × size × C), only when asked for */
  probs?: Float32Array;
}

export function segmentImages(site: SiteModel, images: SegImage[], o: { probs?: boolean } = {}): SegmentedSlice[] {
  const cfg = (site.config as SegmentTrainConfig).model;
  const { inputSize: size, inputChannels: ch } = cfg.encoder;
  const C = cfg.numClasses;
  const per = size * size;
  const encoder = backboneOf(site.model);
  const out: SegmentedSlice[] = [];
  for (let i = 0; i < images.length; i += 16) {
    const part = images.slice(i, i + 16);
    const x = new Float32Array(part.length * per * ch);
    part.forEach((im, j) => x.set(im.data, j * per * ch));
    const { probs, feats, k } = tf.tidy(() => {
      const t = tf.tensor4d(x, [part.length, size, size, ch]);
      const p = tf.softmax(site.model.predict(t) as tf.Tensor4D).dataSync() as Float32Array;
      const f = (encoder.predict(t) as tf.Tensor4D).mean([1, 2]);
      return { probs: p, feats: f.dataSync() as Float32Array, k: f.shape[1] as number };
    });
    part.forEach((im, j) => {
      const classes = new Uint8Array(per);
      for (let q = 0; q < per; q++) {
        const o = (j * per + q) * C;
        let best = 0;
        for (let c = 1; c < C; c++) if (probs[o + c] > probs[o + best]) best = c;
        classes[q] = best;
      }
      const d = im.mask ? nanMean(dicePerClass(classes, im.mask, C)) : NaN;
      out.push({ id: im.id, classes, features: feats.slice(j * k, (j + 1) * k), dice: Number.isFinite(d) ? d : null, ...(o.probs ? { probs: probs.slice(j * per * C, (j + 1) * per * C) } : {}) });
    });
  }
  return out;
}
