import { z } from 'zod';
import { boundedArray, Label, RoundNumber, RunId, SiteId, Text, Timestamp } from './common.js';
import { EvaluationSplits } from './evaluation.js';
import { LIMITS } from './limits.js';
import { DropStage } from './round.js';
import { FEATURE_LIMITS } from './shared-features.js';

/**
 * The coordinator's read API for the consortium view (admin only): every round of a run with its
 * cohort, dropouts (with the secure-aggregation stage) and per-centre metrics (the evaluation
 * `splits` of result-formats.md, ROC/PR curve points included), and the consortium t-SNE of a round.
 */
export const RoundRecord = z.strictObject({
  round: RoundNumber,
  /** the attempt shown (the last one); earlier attempts were interrupted or failed */
  attempt: z.number().int().min(1),
  attempts: z.number().int().min(1),
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  phase: Label,
  started_at: Timestamp,
  ended_at: Timestamp.nullable(),
  wall_ms: z.number().nonnegative().nullable(),
  cohort: boundedArray(SiteId, LIMITS.sites),
  dropouts: boundedArray(z.strictObject({ site: SiteId, stage: DropStage, reason: Text }), LIMITS.sites),
  /** per centre: the `splits` of its evaluation of this round's model */
  metrics: z.record(SiteId, EvaluationSplits).refine((m) => Object.keys(m).length <= LIMITS.sites, `too many sites (max ${LIMITS.sites})`),
  model_hash: z.string().max(64).nullable(),
  failure: Text.nullable(),
  /** whether a consortium t-SNE is stored for this round (GET .../rounds/:n/tsne) */
  tsne: z.boolean(),
});

export const RoundList = z.strictObject({ run_id: RunId, rounds: boundedArray(RoundRecord, LIMITS.rounds) });

const Separation = z.strictObject({
  /** silhouette of the centres (Rousseeuw 1987, Euclidean), in [−1, 1]; null with one centre */
  silhouette: z.number().min(-1).max(1).nullable(),
  /** mean fraction of each point's k nearest neighbours from its own centre */
  knn_agreement: z.number().min(0).max(1).nullable(),
  /** knn_agreement expected when centres are mixed at random: Σ_c (n_c / n)² (approximately) */
  knn_chance: z.number().min(0).max(1).nullable(),
  k: z.number().int().min(1).nullable(),
});

/** The consortium t-SNE of one round (issue #5): shared pooled backbone features of the opted-in sites. */
export const ConsortiumTsne = z.strictObject({
  run_id: RunId,
  round: RoundNumber,
  points: boundedArray(z.strictObject({ x: z.number(), y: z.number(), centre: SiteId, label: Label }), FEATURE_LIMITS.samples * 64),
  kl: z.number(),
  trustworthiness: z.number().min(0).max(1),
  trustworthiness_k: z.number().int().min(1),
  perplexity: z.number().positive(),
  n: z.number().int().min(1),
  dim: z.number().int().min(1),
  /** the largest σ any contributing site added (0: no noise); per centre below */
  noise_sigma: z.number().min(0),
  noise_sigma_by_centre: z.record(SiteId, z.number().min(0)),
  unit: z.enum(['patient', 'slice']),
  method: z.enum(['exact', 'barnes_hut']),
  n_iter: z.number().int().min(0),
  /** how strongly the centres separate: in the 2-D embedding and in the shared features themselves */
  centre_separation: z.strictObject({ embedding: Separation, features: Separation }),
  /** the same measures for the class labels (how class-discriminative the shared features are); absent before it was added */
  label_separation: z.strictObject({ embedding: Separation, features: Separation }).optional(),
  seconds: z.number().nonnegative(),
  created_at: Timestamp,
});

export type RoundRecord = z.infer<typeof RoundRecord>;
export type RoundList = z.infer<typeof RoundList>;
export type ConsortiumTsne = z.infer<typeof ConsortiumTsne>;
