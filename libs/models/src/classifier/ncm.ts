/**
 * Noisy Correction Module (Eq. 8–11). T [N, C·4] holds T^c_ij at [c][i][j] with i the noisy
 * label z and j the true label y. Eq. 9: Q^c_ij = exp(T^c_ij) / Σ_i exp(T^c_ij) (softmax over the
 * noisy index i, so each column j is a distribution over z). Eq. 10: P(z=i|I) = Σ_j Q^c_ij P(y=j|I).
 */
import * as tf from '@tensorflow/tfjs';

/** Q [N, C, 2(i), 2(j)] (Eq. 9). */
export function transition(noise: tf.Tensor2D): tf.Tensor4D {
  const [n, c4] = noise.shape;
  const t = noise.reshape([n, c4 / 4, 2, 2]);
  // softmax over axis 2 (i): move i last, softmax, move back.
  return tf.softmax(t.transpose([0, 1, 3, 2]), -1).transpose([0, 1, 3, 2]) as tf.Tensor4D;
}

/** P(z_c = 1 | I) [N, C] (Eq. 10) from clean scores s [N, C] (P(y_c=1|I) = σ(s_c)) and T. */
export function noisyPositive(scores: tf.Tensor2D, noise: tf.Tensor2D): tf.Tensor2D {
  const q = transition(noise); // [N, C, i, j]
  const p1 = tf.sigmoid(scores);
  const py = tf.stack([tf.sub(1, p1), p1], -1); // [N, C, j]
  const pz = tf.sum(tf.mul(q, py.expandDims(2)), -1); // [N, C, i]
  return pz.slice([0, 0, 1], [-1, -1, 1]).squeeze([2]) as tf.Tensor2D;
}

/**
 * Eq. 11: L_noisy = −(1/N) Σ_n Σ_c [y log P(z_c=1|I_n) + (1−y) log P(z_c=0|I_n)], with y the
 * patient label copied to its slices. Probabilities are clipped at 1e-7 (they are mixtures, not σ).
 */
export function noisyLoss(scores: tf.Tensor2D, noise: tf.Tensor2D, sliceLabels: tf.Tensor2D): tf.Scalar {
  const pz1 = tf.clipByValue(noisyPositive(scores, noise), 1e-7, 1 - 1e-7);
  const ll = tf.add(tf.mul(sliceLabels, tf.log(pz1)), tf.mul(tf.sub(1, sliceLabels), tf.log(tf.sub(1, pz1))));
  return tf.neg(ll.sum(1).mean()) as tf.Scalar;
}
