/** The batch-norm layers of a model: tfjs-layers' own and the engine's fused drop-in (same weights and names). */
import type * as tf from '@tensorflow/tfjs';

const BATCH_NORM_CLASSES = new Set(['BatchNormalization', 'UnboxFusedBatchNormalization']);

export function batchNormLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return model.layers.filter((l) => BATCH_NORM_CLASSES.has(l.getClassName()));
}
