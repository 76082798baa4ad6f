import { z } from 'zod';
import { boundedArray, Metrics, RoundNumber, RunId, Sha256Hex, SiteId, Text, Timestamp } from './common.js';
import { Evaluation } from './evaluation.js';
import { LIMITS } from './limits.js';
import { NamePattern, PatientSampling, Task } from './run-config.js';
import { ModelOffer } from './tensor-frame.js';
import { SharedFeatures } from './shared-features.js';

/** What a site trains with this round (Flower's FitIns config), built by the strategy. */
export const FitConfig = z.strictObject({
  server_round: RoundNumber,
  local_epochs: z.number().int().min(1).max(1000),
  batch_size: z.number().int().min(1).max(4096),
  lr: z.number().positive().max(10),
  /** FedProx μ: the site adds (μ/2)·‖w − w_global‖² to its loss. */
  proximal_mu: z.number().min(0).max(1000).optional(),
  /** FedBN: tensors matching these stay local (not loaded from, nor sent to, the coordinator). */
  local_patterns: boundedArray(NamePattern, LIMITS.patterns).optional(),
  /** SiloBN: tensors matching these are sent (and averaged) but the site keeps its own values instead of loading the received ones. */
  keep_local: boundedArray(NamePattern, LIMITS.patterns).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** classifier: how a step's patients are drawn (run config train.sampling); absent = uniform. */
  sampling: PatientSampling.optional(),
  /** FixBN: normalise with the received model's batch-norm statistics and keep them (run config train.freeze_bn_from_round). */
  freeze_bn_statistics: z.boolean().optional(),
  /** L2 weight-decay coefficient on the kernels (run config train.weight_decay); absent = the model's own. */
  weight_decay: z.number().min(0).max(1).optional(),
  /** classifier: training views get a random scanner calibration and noise per scan (run config train.scanner_jitter). */
  scanner_jitter: z.boolean().optional(),
  /** The site keeps its optimiser's moments for its next round of this run (run config train.keep_optimizer_state). */
  keep_optimizer_state: z.boolean().optional(),
});

const Round = { run_id: RunId, round: RoundNumber };

/** Coordinator → cohort: a round begins; fetch the model and say whether you take part. */
export const RoundStart = z.strictObject({
  ...Round,
  task: Task,
  model_hash: Sha256Hex,
  model: ModelOffer,
  config: FitConfig,
  secure_aggregation: z.boolean(),
  deadline: Timestamp,
}).refine((m) => m.model.manifest.model_hash === m.model_hash, {
  message: 'does not match model_hash',
  path: ['model', 'manifest', 'model_hash'],
});

/** Site → coordinator: model received and verified (hash), ready to train; or declined. */
export const RoundReady = z
  .strictObject({
    ...Round,
    site_id: SiteId,
    model_hash: Sha256Hex,
    accepted: z.boolean(),
    reason: Text.optional(),
  })
  .refine((r) => r.accepted || (r.reason !== undefined && r.reason.length > 0), {
    message: 'a declined round needs a reason',
    path: ['reason'],
  });

/** Coordinator → ready sites: train now, with these peers (the secure-aggregation cohort). */
export const RoundTrain = z.strictObject({
  ...Round,
  cohort: boundedArray(SiteId, LIMITS.sites).min(1),
  deadline: Timestamp,
});

/** Site → coordinator after local training. Weights travel as frames (plaintext) or via secure aggregation. */
export const FitResult = z.strictObject({
  ...Round,
  site_id: SiteId,
  /** the global model this update was trained from. */
  model_hash: Sha256Hex,
  num_examples: z.number().int().min(1).max(1e12),
  metrics: Metrics,
  duration_s: z.number().nonnegative(),
  update: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('plaintext'), model: ModelOffer }),
    z.strictObject({ mode: z.literal('secure') }),
  ]),
  /** only from a site that opted in to the consortium t-SNE: pooled backbone features, no pixels or ids */
  features: SharedFeatures.optional(),
});

export const EvalSplit = z.enum(['train', 'val', 'test']);

/** Coordinator → site: evaluate this (aggregated) model on these splits. */
export const EvaluateRequest = z.strictObject({
  ...Round,
  model_hash: Sha256Hex,
  model: ModelOffer,
  splits: boundedArray(EvalSplit, 3).min(1),
  /** SiloBN: received tensors matching these do not replace the site's own (its batch-norm statistics). */
  keep_local: boundedArray(NamePattern, LIMITS.patterns).optional(),
  deadline: Timestamp,
}).refine((m) => m.model.manifest.model_hash === m.model_hash, {
  message: 'does not match model_hash',
  path: ['model', 'manifest', 'model_hash'],
});

export const EvaluateResult = z.strictObject({
  ...Round,
  site_id: SiteId,
  model_hash: Sha256Hex,
  num_examples: z.number().int().min(0).max(1e12),
  loss: z.number().optional(),
  evaluation: Evaluation,
});

/** Stages at which a site can leave a round: the FL phases and Bonawitz et al.'s rounds. */
export const DropStage = z.enum([
  'configure',
  'fit',
  'advertise_keys',
  'share_keys',
  'masked_input',
  'consistency_check',
  'unmasking',
  'aggregate',
  'evaluate',
]);

/** Either side: a site left (or is leaving) the round. */
export const Dropout = z.strictObject({
  ...Round,
  site_id: SiteId,
  stage: DropStage,
  reason: Text,
});

/** Coordinator → sites: the round's outcome and the new global model's hash. */
export const RoundEnd = z.discriminatedUnion('status', [
  z.strictObject({ ...Round, status: z.literal('done'), model_hash: Sha256Hex, sites: boundedArray(SiteId, LIMITS.sites) }),
  z.strictObject({ ...Round, status: z.literal('failed'), reason: Text }),
]);

export type FitConfig = z.infer<typeof FitConfig>;
export type RoundStart = z.infer<typeof RoundStart>;
export type RoundReady = z.infer<typeof RoundReady>;
export type RoundTrain = z.infer<typeof RoundTrain>;
export type FitResult = z.infer<typeof FitResult>;
export type EvalSplit = z.infer<typeof EvalSplit>;
export type EvaluateRequest = z.infer<typeof EvaluateRequest>;
export type EvaluateResult = z.infer<typeof EvaluateResult>;
export type DropStage = z.infer<typeof DropStage>;
export type Dropout = z.infer<typeof Dropout>;
export type RoundEnd = z.infer<typeof RoundEnd>;
