/**
 * Segmentation losses (Eq. 14–17). p = softmax(logits) over the C classes, per pixel.
 * Eq. 15: L_S = −(1/(HWC)) Σ_n Σ_c y log p (note the 1/C of the paper).
 * Eq. 17: L_T = −(C/(HW)) Σ_n Σ_c p², the Pearson χ² form of Eq. 16 (f(x) = x² − 1) without its
 * constant: −(1/(HWC)) Σ f(C p) = L_T + 1. Both are averaged over the batch.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Eq. 15 from logits [N,H,W,C] and integer label maps [N,H,W] (class indices). `weights` (one per
 * class, an option beyond the paper) multiply each pixel's term by the weight of its true class.
 */
export function supervisedLoss(logits: tf.Tensor4D, labels: tf.Tensor3D, weights?: readonly number[] | null): tf.Scalar {
  const [, h, w, c] = logits.shape;
  if (weights && weights.length !== c) throw new RangeError(`${weights.length} class weights for ${c} classes`);
  const onehot = tf.oneHot(labels.cast('int32'), c);
  const y = weights ? tf.mul(onehot, tf.tensor1d([...weights])) : onehot;
  const ll = tf.mul(y, tf.logSoftmax(logits, -1)).sum([1, 2, 3]);
  return tf.neg(ll.mean()).div(h * w * c) as tf.Scalar;
}

/** Eq. 17 from logits [N,H,W,C]. */
export function pearsonLoss(logits: tf.Tensor4D): tf.Scalar {
  const [, h, w, c] = logits.shape;
  const p = tf.softmax(logits, -1);
  return tf.neg(tf.square(p).sum([1, 2, 3]).mean()).mul(c / (h * w)) as tf.Scalar;
}

/** Eq. 16 with a general f, for checking Eq. 17 against its definition. */
export function fDivergenceLoss(logits: tf.Tensor4D, f: (x: tf.Tensor) => tf.Tensor): tf.Scalar {
  const [, h, w, c] = logits.shape;
  const p = tf.softmax(logits, -1);
  return tf.neg(f(tf.mul(c, p)).sum([1, 2, 3]).mean()).div(h * w * c) as tf.Scalar;
}
