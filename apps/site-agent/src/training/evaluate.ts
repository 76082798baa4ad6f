/**
 * Evaluation of a trained model on manifest rows, split by split: the evaluation JSON's `splits`
 * (notes/result-formats.md), each with its per-centre breakdown (or all splits pooled as "all"). Splits without usable data are
 * left out; rows that could not be used are returned as `skipped` with the reason.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '@unbox/data';
import { diceRecords, predictPatients, summariseClassifier, summariseSegmenter, type ClassifierConfig, type PatientPrediction, type PatientSlices, type SegmenterConfig } from '@unbox/models';
import { classifyInput, loadClassifyPatients } from './classify-data.js';
import { loadSegmentImages } from './segment-data.js';
import type { ManifestRow, SkippedRow } from './manifests.js';
import type { Truth } from './truth.js';

export interface SplitResults {
  splits: Record<string, unknown>;
  skipped: SkippedRow[];
}

const ofSplit = (rows: ManifestRow[], s: Split) => rows.filter((r) => r.entry.split === s);

/** The groups evaluated: one per split, or with `merge` one group "all" (e.g. an unseen centre as a whole). */
function groups(rows: ManifestRow[], splits: readonly Split[], merge: boolean): [string, ManifestRow[]][] {
  if (merge) return [['all', rows.filter((r) => splits.includes(r.entry.split))]];
  return splits.map((s) => [s, ofSplit(rows, s)]);
}

/**
 * Re-estimates the model's batch-norm statistics for one centre on that centre's evaluated
 * patients (AdaBN), in place; what it returns is recorded per centre.
 */
export type AdaptToCentre<A> = (centre: string, patients: readonly PatientSlices[]) => A | Promise<A>;

export async function evaluateClassifierRows<A = never>(model: tf.LayersModel, cfg: ClassifierConfig, rows: ManifestRow[], splits: readonly Split[], truth?: Truth, merge = false, adapt?: AdaptToCentre<A>): Promise<SplitResults & { adapted: (A & { centre: string })[] }> {
  const out: SplitResults & { adapted: (A & { centre: string })[] } = { splits: {}, skipped: [], adapted: [] };
  // without adaptation each split is scored as soon as it is read; with it, every split must be read first
  const loaded: [string, PatientSlices[]][] = [];
  const predictions = new Map<string, PatientPrediction[]>();
  for (const [split, part] of groups(rows, splits, merge)) {
    const { patients, skipped } = await loadClassifyPatients(part, { ...classifyInput(cfg), augmentSeed: null, truth: truth?.chest });
    out.skipped.push(...skipped);
    if (patients.length === 0) continue;
    if (adapt) loaded.push([split, patients]);
    else predictions.set(split, predictPatients(model, cfg, patients));
  }
  if (adapt) {
    // Each centre is scored with the statistics of its own scans (every evaluated split of it),
    // as a site keeping its own batch-norm statistics would score it.
    for (const [split] of loaded) predictions.set(split, []);
    const centreOf = (p: PatientSlices) => p.centre ?? '';
    const centres = [...new Set(loaded.flatMap(([, ps]) => ps.map(centreOf)))].sort();
    for (const centre of centres) {
      const own = loaded.map(([split, ps]) => [split, ps.filter((p) => centreOf(p) === centre)] as const);
      out.adapted.push({ centre, ...(await adapt(centre, own.flatMap(([, ps]) => ps))) });
      for (const [split, ps] of own) if (ps.length > 0) predictions.get(split)!.push(...predictPatients(model, cfg, ps));
    }
  }
  for (const [split, preds] of predictions) out.splits[split] = summariseClassifier(preds);
  return out;
}

export async function evaluateSegmenterRows(model: tf.LayersModel, cfg: SegmenterConfig, rows: ManifestRow[], splits: readonly Split[], truth?: Truth, merge = false): Promise<SplitResults> {
  const out: SplitResults = { splits: {}, skipped: [] };
  for (const [split, part] of groups(rows, splits, merge)) {
    const { evaluation, unscored, skipped } = await loadSegmentImages(part, {
      size: cfg.encoder.inputSize, channels: cfg.encoder.inputChannels, augmentSeed: null, truthMasks: truth?.brainMasks,
    });
    out.skipped.push(...skipped);
    if (evaluation.length > 0) out.splits[split] = { ...summariseSegmenter(diceRecords(model, cfg, evaluation)), unscored_slices: unscored };
  }
  return out;
}
