/**
 * Mean of the k largest entries along the last axis (the k-max of Eq. 6), differentiable.
 * tf.topk has no registered gradient in tfjs 4.22, so topk only picks the positions; the value
 * is Σ x·mask / k and the gradient is dy·mask / k (ties: topk's choice, as in PyTorch).
 */
import * as tf from '@tensorflow/tfjs';

export function kMaxMean(x: tf.Tensor, k: number): tf.Tensor {
  const n = x.shape[x.shape.length - 1];
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`kMaxMean: k=${k} must be an integer in [1, ${n}]`);
  const f = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const mask = tf.tidy(() => {
      if (k === n) return tf.onesLike(input);
      const { indices } = tf.topk(input, k, true);
      return tf.oneHot(indices, n).sum(-2).cast('float32');
    });
    save([mask]);
    return {
      value: tf.mul(input, mask).sum(-1).div(k),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy as tf.Tensor, -1), saved[0]).div(k),
    };
  }) as (...args: (tf.Tensor | tf.GradSaveFunc)[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor });
  return f(x) as tf.Tensor;
}
