/**
 * FixBN (Zhong et al., "Making batch normalization great in federated deep learning", 2023): after
 * a first phase of ordinary training, every batch-norm layer normalises with its moving
 * statistics (those of the global model) also while training, and stops updating them; γ and β
 * still learn. A federated site's batches hold one centre only, so with batch statistics each site
 * learns features normalised per centre, while inference uses the sites' averaged statistics,
 * which match no centre; frozen statistics make local training compute what inference computes.
 * Other layers (dropout) keep their training behaviour.
 */
import type * as tf from '@tensorflow/tfjs';
import { batchNormLayers } from './batchnorm-layers.js';

type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
/** layers whose own `call` currently forces the inference path */
const frozen = new WeakSet<tf.layers.Layer>();

/**
 * Freezes (or releases) the batch-norm statistics of `model` in place; returns the number of
 * batch-norm layers affected. Frozen layers run their inference path whatever `training` says.
 */
export function setBatchNormStatisticsFrozen(model: tf.LayersModel, freeze: boolean): number {
  const layers = batchNormLayers(model);
  for (const l of layers) {
    const own = l as unknown as { call?: Call };
    if (freeze && !frozen.has(l)) {
      // the class's call (looked up at call time, so the engine's fused training path stays in place when released)
      own.call = (inputs, kwargs) => (Object.getPrototypeOf(l) as { call: Call }).call.call(l, inputs, { ...kwargs, training: false });
      frozen.add(l);
    } else if (!freeze && frozen.has(l)) {
      delete own.call;
      frozen.delete(l);
    }
  }
  return layers.length;
}

export function batchNormStatisticsFrozen(model: tf.LayersModel): boolean {
  const layers = batchNormLayers(model);
  return layers.length > 0 && layers.every((l) => frozen.has(l));
}
