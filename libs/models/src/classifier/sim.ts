/**
 * Slice Integration Module (Eq. 4–6) on one patient's slice scores [n, C].
 * Section logit z_i = (1/k) Σ top-k s_c (the argument of σ in Eq. 6). Eq. 5,
 * P(c|P) = 1 / (1 + Π_i (1/P(c|S_i) − 1)), equals σ(Σ_i z_i) because 1/σ(z) − 1 = e^{−z};
 * we compute the patient logit Σ_i z_i, which stays finite where the product form over/underflows.
 */
import * as tf from '@tensorflow/tfjs';
import { kMaxMean } from '../ops/k-max-mean.js';
import { sections, sectionK } from './sections.js';

/** Section logits [|S|, C] of one patient's scores [n, C] (Eq. 6 before σ). */
export function sectionLogits(scores: tf.Tensor2D, ls: number, k: number): tf.Tensor2D {
  const [n] = scores.shape;
  const t = scores.transpose(); // [C, n]: k-max runs along the last axis
  const parts = sections(n, ls).map((s) => kMaxMean(t.slice([0, s.start], [-1, s.end - s.start]), sectionK(s, k)));
  return tf.stack(parts) as tf.Tensor2D;
}

/** Patient logit [C]: log-odds of Eq. 5. */
export function patientLogit(scores: tf.Tensor2D, ls: number, k: number): tf.Tensor1D {
  return sectionLogits(scores, ls, k).sum(0) as tf.Tensor1D;
}

/** Eq. 5 in its written product form from section probabilities (for reference and tests). */
export function patientProbabilityProductForm(sectionProbabilities: number[]): number {
  let prod = 1;
  for (const p of sectionProbabilities) prod *= 1 / p - 1;
  return 1 / (1 + prod);
}
