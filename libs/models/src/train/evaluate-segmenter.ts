/** Segmenter evaluation: argmax class maps, Dice per class per image, summaries per centre. */
import * as tf from '@tensorflow/tfjs';
import type { SegmenterConfig } from '../segmenter/config.js';
import { dicePerClass } from '../metrics/dice.js';
import { diceSummary, groupBy, type DiceRecord } from '../metrics/aggregate.js';
import { checkImages, type SegImage } from './datasets.js';

export function predictMasks(model: tf.LayersModel, images: SegImage[], chunk = 16): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < images.length; i += chunk) {
    const part = images.slice(i, i + chunk);
    const { size, channels } = part[0];
    const x = new Float32Array(part.length * size * size * channels);
    part.forEach((im, j) => x.set(im.data, j * size * size * channels));
    const labels = tf.tidy(() => (model.predict(tf.tensor4d(x, [part.length, size, size, channels])) as tf.Tensor).argMax(-1).dataSync() as Int32Array);
    part.forEach((_, j) => out.push(labels.slice(j * size * size, (j + 1) * size * size)));
  }
  return out;
}

export function diceRecords(model: tf.LayersModel, cfg: SegmenterConfig, images: SegImage[]): DiceRecord[] {
  checkImages(images, cfg.encoder.inputSize, cfg.encoder.inputChannels, true);
  const preds = predictMasks(model, images);
  return images.map((im, i) => ({
    modality: im.modality, thickness: im.thickness, centre: im.centre,
    perClass: dicePerClass(preds[i], im.mask as ArrayLike<number>, cfg.numClasses),
  }));
}

export function summariseSegmenter(records: DiceRecord[]) {
  const byCentre = groupBy(records, (r) => r.centre ?? 'unknown');
  const out: { centre?: string; dice: ReturnType<typeof diceSummary>; centres: Record<string, { dice: ReturnType<typeof diceSummary> }> } = {
    dice: diceSummary(records),
    centres: Object.fromEntries([...byCentre].map(([c, rs]) => [c, { dice: diceSummary(rs) }])),
  };
  if (byCentre.size === 1) out.centre = [...byCentre.keys()][0];
  return out;
}
