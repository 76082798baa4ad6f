/**
 * Batch normalisation in training mode (Ioffe & Szegedy), channels-last, as one op: on the native
 * engine it is the fused kernel pair of ./batchnorm-kernels.ts; on any other backend it is
 * tfjs' own moments + batchNorm, so model code stays the same everywhere.
 * Also a drop-in tf.layers layer with tf.layers.batchNormalization's weights and semantics.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_TRAIN } from './batchnorm-kernels.js';
import { NATIVE_BACKEND, registeredClass } from './native-backend.js';

export interface BatchNormResult {
  y: tf.Tensor;
  /** batch mean and biased batch variance per channel (no gradient flows through them). */
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): BatchNormResult {
  if (tf.getBackend() === NATIVE_BACKEND && x.dtype === 'float32') {
    const [y, mean, variance] = tf.engine().runKernel(BN_TRAIN, { x, scale: gamma, offset: beta }, { varianceEpsilon: epsilon }) as tf.Tensor[];
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The fields of tfjs-layers' BatchNormalization that its training path reads (runtime shape). */
interface LayersBatchNorm {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: tf.LayerVariable | null;
  beta?: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}
type CallFn = (this: LayersBatchNorm, inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }) => tf.Tensor;

/** moving ← moving − (moving − batch)·(1 − momentum), as tfjs-layers does. */
function updateMoving(v: tf.LayerVariable, batch: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const old = v.read();
    v.write(tf.sub(old, tf.mul(tf.sub(old, batch), 1 - momentum)));
  });
}

let layersPatched = false;

/**
 * Makes tf.layers.batchNormalization use the fused kernels while training on the native engine,
 * so existing model code gets the speed-up unchanged. Same weights, same statistics (biased batch
 * variance), same moving-average rule; any other backend, inference, or a non-last axis runs
 * tfjs-layers' own code.
 */
export function accelerateLayersBatchNorm(): void {
  if (layersPatched) return;
  const proto = registeredClass('BatchNormalization').prototype as { call: CallFn };
  const original = proto.call;
  proto.call = function (this: LayersBatchNorm, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const axis = this.axis < 0 ? this.axis + x.rank : this.axis;
    if (!kwargs?.training || tf.getBackend() !== NATIVE_BACKEND || axis !== x.rank - 1 || x.dtype !== 'float32') {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const c = x.shape[axis];
      const gamma = (this.gamma ? this.gamma.read() : tf.ones([c])) as tf.Tensor1D;
      const beta = (this.beta ? this.beta.read() : tf.zeros([c])) as tf.Tensor1D;
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, this.epsilon);
      updateMoving(this.movingMean, mean, this.momentum);
      updateMoving(this.movingVariance, variance, this.momentum);
      return y;
    });
  };
  layersPatched = true;
}

export interface FusedBatchNormalizationArgs {
  momentum?: number;
  epsilon?: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Same weights (gamma, beta, moving_mean, moving_variance), names and update rule as
 * tf.layers.batchNormalization({axis: -1, center: true, scale: true}); normalises the last axis.
 */
export class FusedBatchNormalization extends tf.layers.Layer {
  static className = 'UnboxFusedBatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;
  private movingMean!: tf.LayerVariable;
  private movingVariance!: tf.LayerVariable;

  constructor(args: FusedBatchNormalizationArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1];
    if (c == null) throw new Error(`${this.name}: the channel dimension must be known, got ${JSON.stringify(shape)}`);
    this.inputSpec = [{ ndim: shape.length, axes: { [-1]: c } }];
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones(), undefined, true);
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros(), undefined, true);
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const gamma = this.gamma.read() as tf.Tensor1D, beta = this.beta.read() as tf.Tensor1D;
      if (!kwargs?.training) {
        return tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), beta, gamma, this.epsilon);
      }
      const { y, mean, variance } = batchNormTrain(x, gamma, beta, this.epsilon);
      updateMoving(this.movingMean, mean, this.momentum);
      updateMoving(this.movingVariance, variance, this.momentum);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(FusedBatchNormalization);

export function fusedBatchNormalization(args?: FusedBatchNormalizationArgs): FusedBatchNormalization {
  return new FusedBatchNormalization(args);
}
