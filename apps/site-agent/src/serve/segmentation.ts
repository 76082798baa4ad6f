/**
 * The segmenter's view of a patient for the dashboard: per slice (the API's slice order: scans with
 * a label map first, as loadSegmentImages gives them) the argmax class map and the encoder's pooled
 * deepest features, computed once per patient and kept for a few patients; the class map drawn as
 * an RGBA overlay (transparent background, one colour per ventricle, legend in GET /site).
 */
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { backboneOf, dicePerClass, nanMean, type SegImage } from '@unbox/models';
import type { SegmentationLegendEntry } from '@unbox/protocol';
import { UserError } from '../errors.js';
import type { SiteModel } from '../explain/site-model.js';
import type { SegmentTrainConfig } from '../training/config.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';

/** Class names of the head phantom and the paper's ventricle labels (section 4.2.1). */
const VENTRICLES = ['left lateral ventricle', 'right lateral ventricle', 'third ventricle', 'fourth ventricle'];
/** Distinct colours (the explanation overlays' palette), alpha 160/255 over the slice. */
const COLOURS: [number, number, number][] = [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180]];
export const OVERLAY_ALPHA = 160;

export function segmentationLegend(numClasses: number): SegmentationLegendEntry[] {
  return Array.from({ length: numClasses - 1 }, (_, k) => ({
    class: k + 1,
    name: VENTRICLES[k] ?? `class ${k + 1}`,
    rgba: [...COLOURS[k % COLOURS.length], OVERLAY_ALPHA] as [number, number, number, number],
  }));
}

export interface SegmentedSlice {
  id: string;
  /** argmax class per pixel (size × size) */
  classes: Uint8Array;
  /** pooled deepest encoder features */
  features: Float32Array;
  /** mean Dice over the classes present, when the slice has a label map and it is defined */
  dice: number | null;
}

/** Forward pass in batches: argmax maps, pooled encoder features, Dice against any label map. */
export function segmentImages(site: SiteModel, images: SegImage[]): SegmentedSlice[] {
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
      const p = (site.model.predict(t) as tf.Tensor4D).dataSync() as Float32Array;
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
      out.push({ id: im.id, classes, features: feats.slice(j * k, (j + 1) * k), dice: Number.isFinite(d) ? d : null });
    });
  }
  return out;
}

/** The patient's slices in API order, segmented (evaluation preprocessing, no augmentation). */
export async function segmentPatient(site: SiteModel, rows: ManifestRow[]): Promise<SegmentedSlice[]> {
  const { inputSize: size, inputChannels: channels } = (site.config as SegmentTrainConfig).model.encoder;
  const imgs = await loadSegmentImages(rows, { size, channels, augmentSeed: null });
  if (imgs.skipped.length) throw new UserError(imgs.skipped.map((s) => s.reason).join('; '));
  return segmentImages(site, [...imgs.labelled, ...imgs.unlabelled]);
}

/** RGBA PNG of a class map: background transparent, class c in legend colour c. */
export function overlayPng(classes: Uint8Array, size: number, legend: SegmentationLegendEntry[]): Uint8Array {
  const png = new PNG({ width: size, height: size });
  const data = Buffer.alloc(size * size * 4);
  for (let q = 0; q < classes.length; q++) {
    const c = classes[q];
    if (!c) continue;
    const rgba = legend[c - 1]?.rgba ?? [255, 255, 255, OVERLAY_ALPHA];
    data.set(rgba, 4 * q);
  }
  png.data = data;
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}
