/**
 * Gradient of FusedBatchNorm without tfjs 4.22's tile: its registered gradient tiles
 * rsqrt(variance) to the full activation shape before multiplying (and computes x − mean and
 * dy·scale eagerly), which made Tile the largest kernel of a segmenter training step on wasm
 * (1.7 s of 7 s, measured). Same formulas, per-channel vectors broadcast instead:
 *   dx = dy · γ/σ,  dγ = Σ dy·(x−μ) / σ,  dβ = Σ dy,  dμ = −γ/σ · Σ dy,  dσ² = −½ γ/σ³ · Σ dy·(x−μ)
 * with σ = √(σ² + ε) and Σ over the axes μ is broadcast along.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs';

export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: NamedAttrMap) => {
    const dy = dyIn as tf.Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => tf.reshape(axes.length ? tf.sum(t, axes) : t, mean.shape);
    const rstd = tf.rsqrt(tf.add(variance, varianceEpsilon));
    const gamma = scale ?? tf.scalar(1);
    const sumDy = () => reduce(dy);
    const sumDyXc = () => reduce(tf.mul(dy, tf.sub(x, mean)));
    return {
      x: () => tf.mul(dy, tf.mul(gamma, rstd)),
      mean: () => tf.reshape(tf.neg(tf.mul(tf.mul(gamma, rstd), sumDy())), mean.shape),
      variance: () => tf.reshape(tf.mul(tf.mul(tf.mul(gamma, tf.pow(rstd, 3)), -0.5), sumDyXc()), mean.shape),
      scale: () => tf.reshape(tf.mul(rstd, sumDyXc()), mean.shape),
      offset: () => sumDy(),
    };
  },
};

let registered = false;

/** Replaces tfjs's FusedBatchNorm gradient (all backends; idempotent). */
export function registerTrainingGradients(): void {
  if (registered) return;
  tf.registerGradient(fusedBatchNormGradConfig);
  registered = true;
}
