/**
 * The classifier's training objective and patient-level prediction for each comparison mode
 * (Table 2): 'image-level' copies the patient label to every slice; 'max-pool' max-pools the
 * pooled features over a patient's slices before the EDM weights (COVNet); 'sim' uses Eq. 4–7;
 * 'sim+ncm' adds λ·L_noisy (Eq. 11–12). Slices of one patient are contiguous in the batch.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig } from './config.js';
import { scoresFromPooled, type ClassifierOutputs } from './model.js';
import { patientLogit } from './sim.js';
import { noisyLoss } from './ncm.js';
import { bceWithLogits, totalLoss } from './losses.js';

export interface PatientSpan {
  /** first slice row in the batch */
  start: number;
  count: number;
  /** y_c per class (0/1), length C */
  label: number[];
}

export function checkSpans(spans: PatientSpan[], rows: number, classes: number): void {
  let next = 0;
  for (const [i, s] of spans.entries()) {
    if (s.start !== next || s.count < 1) throw new Error(`patient ${i}: slices must be contiguous and non-empty (start ${s.start}, count ${s.count}, expected start ${next})`);
    if (s.label.length !== classes) throw new Error(`patient ${i}: label has ${s.label.length} entries, model has ${classes} classes`);
    next += s.count;
  }
  if (next !== rows) throw new Error(`patient spans cover ${next} slices but the batch has ${rows}`);
}

/** Patient label copied to each of its slices: [N, C]. */
export function sliceLabels(spans: PatientSpan[]): tf.Tensor2D {
  return tf.tensor2d(spans.flatMap((s) => Array.from({ length: s.count }, () => s.label)));
}

/** Patient logits [P, C] for the patient-level modes (max-pool, sim, sim+ncm). */
export function patientLogits(model: tf.LayersModel, out: Pick<ClassifierOutputs, 'scores' | 'pooled'>, spans: PatientSpan[], cfg: ClassifierConfig): tf.Tensor2D {
  if (cfg.mode === 'max-pool') {
    const pooled = tf.stack(spans.map((s) => out.pooled.slice([s.start, 0], [s.count, -1]).max(0))) as tf.Tensor2D;
    return scoresFromPooled(model, pooled);
  }
  return tf.stack(spans.map((s) => patientLogit(out.scores.slice([s.start, 0], [s.count, -1]), cfg.sectionLength, cfg.k))) as tf.Tensor2D;
}

/** L for one batch (without weight decay). */
export function classifierLoss(model: tf.LayersModel, out: ClassifierOutputs, spans: PatientSpan[], cfg: ClassifierConfig): tf.Scalar {
  checkSpans(spans, out.scores.shape[0], cfg.numClasses);
  if (cfg.mode === 'image-level') return bceWithLogits(out.scores, sliceLabels(spans));
  const y = tf.tensor2d(spans.map((s) => s.label));
  const cls = bceWithLogits(patientLogits(model, out, spans, cfg), y);
  return totalLoss(cls, cfg.mode === 'sim+ncm' ? noisyLoss(out.scores, out.noise, sliceLabels(spans)) : null, cfg.lambda);
}

/**
 * Patient probabilities [P][C] at inference. Image-level training has no patient head: its
 * patient probability is the mean of the slice probabilities σ(s_c).
 */
export function patientProbabilities(model: tf.LayersModel, out: Pick<ClassifierOutputs, 'scores' | 'pooled'>, spans: PatientSpan[], cfg: ClassifierConfig): number[][] {
  return tf.tidy(() => {
    const p = cfg.mode === 'image-level'
      ? tf.stack(spans.map((s) => tf.sigmoid(out.scores.slice([s.start, 0], [s.count, -1])).mean(0)))
      : tf.sigmoid(patientLogits(model, out, spans, cfg));
    return p.arraySync() as number[][];
  });
}
