/**
 * Trains the segmenter (3.3.2): thick labelled and thin unlabelled batches alternate for LS+LT;
 * the LS and LT ablations (Table 5) take only one kind. Batches are drawn at random (seeded) from
 * the cached preprocessed slices; with `augment`, every slice of every batch gets a fresh flip /
 * brightness draw from that step's own generator (segmenter-augment.ts), so a resumed run sees
 * exactly the batches of an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { segmenterFromConfig } from './build.js';
import { SegmenterConfigSchema, type SegmenterConfig, type SegmenterConfigInput } from '../segmenter/config.js';
import { classCounts, classWeights } from '../segmenter/class-weights.js';
import { segmenterSchedule, segmenterStep, type SegBatch } from './segmenter-step.js';
import { augmentSegBatch, type SegAugmentOptions } from './segmenter-augment.js';
import { adam } from './step.js';
import { checkImages, type SegImage } from './datasets.js';
import { randInt, rng } from './random.js';
import { maybeCheckpoint, type TrainOptions } from './train-classifier.js';

export interface SegTrainOptions extends Omit<TrainOptions, 'patientsPerBatch' | 'maxSlicesPerPatient' | 'view'> {
  /** 3.4: batch size 8 */
  batchSize?: number;
  /** per-batch augmentation (PAPER_SEG_AUGMENT for the paper's); absent or null: none */
  augment?: SegAugmentOptions | null;
}

function pick(images: SegImage[], r: () => number, n: number): SegImage[] {
  return Array.from({ length: n }, () => images[randInt(r, images.length)]);
}

export function makeSegBatch(kind: 'thick' | 'thin', images: SegImage[]): SegBatch {
  const { size, channels } = images[0];
  const x = new Float32Array(images.length * size * size * channels);
  images.forEach((im, i) => x.set(im.data, i * size * size * channels));
  const xt = tf.tensor4d(x, [images.length, size, size, channels]);
  if (kind === 'thin') return { kind, x: xt };
  const y = new Int32Array(images.length * size * size);
  images.forEach((im, i) => y.set(im.mask as ArrayLike<number>, i * size * size));
  return { kind, x: xt, y: tf.tensor3d(y, [images.length, size, size], 'int32') };
}

/**
 * The slices of step `step` as the model sees them (after augmentation). `r` is the batch
 * sampler's stream, advanced by exactly one pick per call whatever the augmentation.
 */
export function segmenterBatchImages(thick: SegImage[], thin: SegImage[], config: SegmenterConfig, r: () => number, step: number, opts: Pick<SegTrainOptions, 'seed' | 'batchSize' | 'augment'>): { kind: 'thick' | 'thin'; images: SegImage[] } {
  const kind = segmenterSchedule(config.loss, step);
  const picked = pick(kind === 'thick' ? thick : thin, r, opts.batchSize ?? 8);
  return { kind, images: opts.augment ? augmentSegBatch(picked, opts.seed, step, opts.augment) : picked };
}

export async function trainSegmenter(thick: SegImage[], thin: SegImage[], cfgIn: SegmenterConfigInput, opts: SegTrainOptions): Promise<{ model: tf.LayersModel; config: SegmenterConfig; optimizer: tf.Optimizer; losses: number[]; classWeights: number[] | null }> {
  const { model, config } = opts.model ? { model: opts.model, config: SegmenterConfigSchema.parse(cfgIn) } : await segmenterFromConfig(cfgIn, opts.seed);
  const { inputSize, inputChannels } = config.encoder;
  checkImages(thick, inputSize, inputChannels, true);
  checkImages(thin, inputSize, inputChannels, false);
  if (config.loss !== 'LT' && thick.length === 0) throw new Error(`segmenter loss ${config.loss} needs labelled thick slices; none given`);
  if (config.loss !== 'LS' && thin.length === 0) throw new Error(`segmenter loss ${config.loss} needs unlabelled thin slices; none given`);
  const weights = config.loss === 'LT' ? null : classWeights(classCounts(thick.map((im) => im.mask!), config.numClasses), config.classWeighting);
  const optimizer = opts.optimizer ?? adam(config.learningRate);
  const r = rng(opts.seed);
  const bs = opts.batchSize ?? 8;
  const start = opts.startStep ?? 0;
  // resume: replay the sampler's picks (augmentation draws depend on the step alone)
  for (let s = 0; s < start; s++) pick(segmenterSchedule(config.loss, s) === 'thick' ? thick : thin, r, bs);
  const losses: number[] = [];
  for (let s = start; s < opts.steps; s++) {
    const t0 = performance.now();
    const { kind, images } = segmenterBatchImages(thick, thin, config, r, s, { seed: opts.seed, batchSize: bs, augment: opts.augment });
    const batch = makeSegBatch(kind, images);
    const loss = segmenterStep(model, config, optimizer, batch, weights);
    tf.dispose(batch.kind === 'thick' ? [batch.x, batch.y] : [batch.x]);
    losses.push(loss);
    await opts.onStep?.({ step: s + 1, loss, images: bs, ms: performance.now() - t0 });
    await maybeCheckpoint(opts, s + 1, model, optimizer, config);
  }
  return { model, config, optimizer, losses, classWeights: weights };
}
