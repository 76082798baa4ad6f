/**
 * Model randomisation for the sanity check of Adebayo et al. (2018) on tfjs models: run an
 * explanation with the weights of some layers re-drawn (Glorot-uniform kernels, neutral biases
 * and batch-norm parameters, see sanity.ts), then put the trained weights back, so the check
 * needs no copy of the model. `cascadingLayers` lists the layers with weights from the output
 * towards the input, the order of the paper's cascading randomisation.
 */
import * as tf from '@tensorflow/tfjs';
import { randomWeightsLike } from './sanity.js';

/** Names of the layers that hold weights, output side first. */
export function cascadingLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name).reverse();
}

/** Run `fn` with the named layers' weights randomised (seeded), restoring the trained weights after. */
export async function withRandomisedWeights<T>(model: tf.LayersModel, layerNames: string[], seed: number, fn: () => Promise<T> | T): Promise<T> {
  const layers = layerNames.map((n) => model.getLayer(n));
  const saved = layers.map((l) => l.getWeights().map((w) => w.clone()));
  try {
    layers.forEach((l, i) => {
      const specs = l.weights.map((w) => ({ shape: w.shape as number[], name: w.originalName }));
      const fresh = randomWeightsLike(specs, seed + i);
      const tensors = fresh.map((v, j) => tf.tensor(v, specs[j].shape));
      l.setWeights(tensors);
      tf.dispose(tensors);
    });
    return await fn();
  } finally {
    layers.forEach((l, i) => l.setWeights(saved[i]));
    saved.forEach((ws) => tf.dispose(ws));
  }
}
