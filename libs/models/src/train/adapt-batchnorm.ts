/**
 * AdaBN (Li et al., "Revisiting batch normalization for practical domain adaptation", 2016): a
 * hospital's own scans, without labels, replace every batch-norm layer's moving mean and variance,
 * so the network normalises that scanner's activations as training normalised each batch's. Layer
 * by layer in graph order: a layer's statistics are taken with every layer before it already
 * adapted, over all the images (population mean and variance, combined exactly across chunks).
 * Why it matters here: a federated site trains on batches of its own centre only, so its
 * batch-norm layers never see other centres' shifts; the averaged moving statistics then match no
 * centre. Nothing leaves the site: only the model's own statistics change, in memory.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormLayers } from './batchnorm-layers.js';

export interface AdaptedBatchNorm {
  /** batch-norm layers whose statistics were replaced */
  layers: number;
  /** images the statistics were taken over */
  images: number;
}

/** Per-channel population mean and variance of `parts` (chunk moments combined exactly). */
function combine(parts: { n: number; mean: Float32Array; variance: Float32Array }[]): { mean: Float32Array; variance: Float32Array } {
  const n = parts.reduce((a, p) => a + p.n, 0);
  const c = parts[0].mean.length;
  const mean = new Float64Array(c);
  for (const p of parts) for (let k = 0; k < c; k++) mean[k] += (p.n / n) * p.mean[k];
  const variance = new Float64Array(c);
  for (const p of parts) for (let k = 0; k < c; k++) variance[k] += (p.n / n) * (p.variance[k] + (p.mean[k] - mean[k]) ** 2);
  return { mean: Float32Array.from(mean), variance: Float32Array.from(variance) };
}

/**
 * Re-estimates every BatchNormalization layer of `model` on `images` (NHWC batches of the model's
 * input, given as chunks), in place. Throws when there are no images or the model has no
 * batch-norm layer with moving statistics.
 */
export function adaptBatchNorm(model: tf.LayersModel, images: readonly tf.Tensor4D[]): AdaptedBatchNorm {
  const count = images.reduce((a, x) => a + x.shape[0], 0);
  if (count === 0) throw new Error('adaptBatchNorm: no images to take the statistics from');
  const layers = batchNormLayers(model);
  if (layers.length === 0) throw new Error('adaptBatchNorm: the model has no batch-norm layer');
  for (const layer of layers) {
    const movingMean = layer.weights.find((w) => w.originalName.endsWith('moving_mean'));
    const movingVar = layer.weights.find((w) => w.originalName.endsWith('moving_variance'));
    if (!movingMean || !movingVar) throw new Error(`adaptBatchNorm: layer ${layer.name} has no moving statistics`);
    const probe = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const parts = images.map((x) =>
      tf.tidy(() => {
        const y = probe.predict(x) as tf.Tensor;
        const axes = Array.from({ length: y.rank - 1 }, (_, i) => i);
        const m = tf.moments(y, axes);
        return { n: y.size / (y.shape.at(-1) ?? 1), mean: m.mean.dataSync() as Float32Array, variance: m.variance.dataSync() as Float32Array };
      }),
    );
    const { mean, variance } = combine(parts);
    tf.tidy(() => {
      movingMean.write(tf.tensor1d(mean));
      movingVar.write(tf.tensor1d(variance));
    });
  }
  return { layers: layers.length, images: count };
}
