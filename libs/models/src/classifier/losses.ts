/**
 * Eq. 7 (binary cross-entropy summed over classes) in logit form: for P = σ(z),
 * −[y log P + (1−y) log(1−P)] = softplus(z) − y·z, exact and stable for any z.
 */
import * as tf from '@tensorflow/tfjs';

/** Σ_c of Eq. 7 for logits z [..., C] and labels y [..., C]; averaged over leading rows. */
export function bceWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const per = tf.sub(tf.softplus(logits), tf.mul(labels, logits));
  return (per.rank > 1 ? per.sum(-1).mean() : per.sum()) as tf.Scalar;
}

/** Eq. 12: L = L_cls + λ L_noisy. */
export function totalLoss(cls: tf.Scalar, noisy: tf.Scalar | null, lambda: number): tf.Scalar {
  return noisy ? (tf.add(cls, tf.mul(lambda, noisy)) as tf.Scalar) : cls;
}

/**
 * L2 weight decay (3.4: coefficient 1e-5) as a loss term (wd/2)·Σ‖W‖² over kernels, whose
 * gradient wd·W is what PyTorch's Adam(weight_decay=wd) adds.
 */
export function weightDecay(kernels: tf.Tensor[], wd: number): tf.Scalar {
  if (wd === 0 || kernels.length === 0) return tf.scalar(0);
  return tf.mul(wd / 2, tf.addN(kernels.map((k) => tf.sum(tf.square(k))))) as tf.Scalar;
}
