/**
 * Evaluation of a trained model on manifest rows, split by split: the evaluation JSON's `splits`
 * (notes/result-formats.md), each with its per-centre breakdown (or all splits pooled as "all"). Splits without usable data are
 * left out; rows that could not be used are returned as `skipped` with the reason.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Split } from '@unbox/data';
import { diceRecords, predictPatients, summariseClassifier, summariseSegmenter, type ClassifierConfig, type SegmenterConfig } from '@unbox/models';
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

export async function evaluateClassifierRows(model: tf.LayersModel, cfg: ClassifierConfig, rows: ManifestRow[], splits: readonly Split[], truth?: Truth, merge = false): Promise<SplitResults> {
  const out: SplitResults = { splits: {}, skipped: [] };
  for (const [split, part] of groups(rows, splits, merge)) {
    const { patients, skipped } = await loadClassifyPatients(part, { ...classifyInput(cfg), augmentSeed: null, truth: truth?.chest });
    out.skipped.push(...skipped);
    if (patients.length > 0) out.splits[split] = summariseClassifier(predictPatients(model, cfg, patients));
  }
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
