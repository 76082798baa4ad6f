/**
 * Group normalisation (Wu & He, ECCV 2018), channels-last: each sample's channels are split into
 * G groups and every group is normalised by its own mean and variance over (H, W, C/G), then a
 * per-channel scale γ and shift β. Unlike batch norm nothing depends on the other images of the
 * batch and training and inference compute the same thing, which is why federated learning on
 * non-IID sites uses it (Hsieh et al., ICML 2020): a site's batches hold one centre only, and
 * batch norm's running statistics, averaged over sites, then match no centre.
 * Composed of tfjs ops (moments, rsqrt), so autodiff and every backend handle it.
 */
import * as tf from '@tensorflow/tfjs';

/** Wu & He's default group count; fewer when the layer has few channels (groupsFor). */
export const DEFAULT_GROUPS = 32;

/**
 * The group count for C channels: the largest divisor of C that is at most `groups` and leaves at
 * least two channels per group (one channel per group is instance norm, which Wu & He found
 * clearly worse), or 1 group when C < 2.
 */
export function groupsFor(channels: number, groups: number): number {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`group norm: channel count must be a positive integer, got ${channels}`);
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`group norm: groups must be a positive integer, got ${groups}`);
  for (let g = Math.min(groups, Math.floor(channels / 2)); g > 1; g--) if (channels % g === 0) return g;
  return 1;
}

/** (x − μ_g) / √(σ²_g + ε) for x NHWC; μ_g, σ²_g per sample and group (biased variance). */
export function groupStandardise(x: tf.Tensor4D, groups: number, epsilon: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (c % groups !== 0) throw new RangeError(`group norm: ${c} channels do not split into ${groups} groups`);
    const cg = c / groups;
    // rows of one (sample, group): the reductions then run over the last axis, which the native
    // engine does in one pass (over axes [1, 3] of [N, HW, G, C/G] it was ~20× slower)
    const rows = tf.reshape(tf.transpose(tf.reshape(x, [n, h * w, groups, cg]), [0, 2, 1, 3]), [n * groups, h * w * cg]);
    const { mean, variance } = tf.moments(rows, 1, true);
    const scaled = tf.mul(tf.sub(rows, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.reshape(tf.transpose(tf.reshape(scaled, [n, groups, h * w, cg]), [0, 2, 1, 3]), [n, h, w, c]);
  });
}

/** y = γ · (x − μ_g) / √(σ²_g + ε) + β, γ and β per channel. */
export function groupNorm(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon: number): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(groupStandardise(x, groups, epsilon), gamma), beta) as tf.Tensor4D);
}

export class GroupNormalization extends tf.layers.Layer {
  static className = 'UnboxGroupNormalization';
  /** the requested group count; the layer uses groupsFor(C, groups) */
  readonly groups: number;
  readonly epsilon: number;
  private gamma: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;
  private resolved = 1;

  constructor(args: { groups?: number; epsilon?: number; name?: string }) {
    super({ name: args.name });
    this.groups = args.groups ?? DEFAULT_GROUPS;
    this.epsilon = args.epsilon ?? 1e-5;
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new RangeError(`group norm: groups must be a positive integer, got ${this.groups}`);
    if (!(this.epsilon > 0)) throw new RangeError(`group norm: epsilon must be positive, got ${this.epsilon}`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (s.length !== 4) throw new Error(`group norm '${this.name}': expects NHWC input, got rank ${s.length}`);
    const c = s[3];
    if (c === null) throw new Error(`group norm '${this.name}': the channel count must be known`);
    this.resolved = groupsFor(c, this.groups);
    this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  /** the group count in use (after build) */
  get effectiveGroups(): number {
    return this.resolved;
  }

  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return s;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return groupNorm(x, this.gamma!.read() as tf.Tensor1D, this.beta!.read() as tf.Tensor1D, this.resolved, this.epsilon);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(GroupNormalization);
