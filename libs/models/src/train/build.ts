/** Builds models from configs, loading a backbone/encoder from a local tfjs directory when named. */
import type * as tf from '@tensorflow/tfjs';
import { buildClassifier } from '../classifier/model.js';
import type { ClassifierConfig, ClassifierConfigInput } from '../classifier/config.js';
import { buildSegmenter } from '../segmenter/model.js';
import type { SegmenterConfig, SegmenterConfigInput } from '../segmenter/config.js';
import { ClassifierConfigSchema } from '../classifier/config.js';
import { SegmenterConfigSchema } from '../segmenter/config.js';
import { backboneOf } from '../layers/backbone-io.js';
import { loadModel } from './checkpoint-io.js';

export async function classifierFromConfig(cfgIn: ClassifierConfigInput, seed: number): Promise<{ model: tf.LayersModel; config: ClassifierConfig }> {
  const cfg = ClassifierConfigSchema.parse(cfgIn);
  const backbone = cfg.backboneFrom ? backboneOf(await loadModel(cfg.backboneFrom)) : undefined;
  return buildClassifier(cfg, { seed, backbone });
}

export async function segmenterFromConfig(cfgIn: SegmenterConfigInput, seed: number): Promise<{ model: tf.LayersModel; config: SegmenterConfig }> {
  const cfg = SegmenterConfigSchema.parse(cfgIn);
  const encoder = cfg.encoderFrom ? await loadModel(cfg.encoderFrom) : undefined;
  return buildSegmenter(cfg, { seed, encoder });
}
