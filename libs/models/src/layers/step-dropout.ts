/**
 * Dropout whose mask is a function of (seed, step): a training run with a seed draws the same
 * masks every time, and a resumed run draws what the uninterrupted one would have. tfjs's own
 * Dropout either takes no seed (masks differ between runs of the same seed, so results are not
 * reproducible) or a fixed seed (the same mask on every step, which is not dropout). The trainer
 * sets `step` before each optimisation step (setDropoutStep); inference (training false) is the
 * identity, as for inverted dropout.
 */
import * as tf from '@tensorflow/tfjs';
import { stepSeed } from '../train/random.js';

export class StepDropout extends tf.layers.Layer {
  static className = 'UnboxStepDropout';
  readonly rate: number;
  readonly seed: number;
  /** the mask stream of the next training call: set by the trainer per step */
  step = 0;

  constructor(args: { rate: number; seed: number; name?: string }) {
    super({ name: args.name });
    if (!(args.rate >= 0 && args.rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${args.rate}`);
    if (!Number.isInteger(args.seed)) throw new RangeError(`dropout seed must be an integer, got ${args.seed}`);
    this.rate = args.rate;
    this.seed = args.seed;
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return s as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    // inference: the input itself (as tfjs's Dropout), no copy on the eval/explain path
    if (!kwargs.training || this.rate === 0) return x;
    return tf.tidy(() => {
      const u = tf.randomUniform(x.shape, 0, 1, 'float32', stepSeed(this.seed, this.step));
      // inverted dropout: keep with p = 1 − rate and scale by 1 / (1 − rate), so inference needs no scaling
      return tf.mul(x, tf.div(tf.cast(tf.greaterEqual(u, this.rate), 'float32'), 1 - this.rate));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(StepDropout);

/** Points every StepDropout of `model` at the mask stream of `step` (a run's global step, or a value derived from it). */
export function setDropoutStep(model: tf.LayersModel, step: number): void {
  for (const l of model.layers) if (l instanceof StepDropout) l.step = step;
}
