/**
 * Per-slice standardisation of the network input: every image (and channel) minus its own mean,
 * over its own standard deviation (instance normalisation without scale and shift). The lung
 * window maps a scan's intensities to [0, 1], but a scan's overall level still differs (anatomy,
 * calibration); a federated model trained with frozen batch-norm statistics (FixBN) passed that
 * level straight into its score (per-patient mean slice logit vs mean input: r = −0.97 at D).
 * No weights; the same in training and inference.
 */
import * as tf from '@tensorflow/tfjs';
import { groupStandardise } from './group-norm.js';

export class InputStandardisation extends tf.layers.Layer {
  static className = 'UnboxInputStandardisation';
  readonly epsilon: number;

  constructor(args: { epsilon?: number; name?: string } = {}) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return s;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    // one group per channel: each image and channel by its own statistics, no scale or shift
    return groupStandardise(x, x.shape[3], this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(InputStandardisation);
