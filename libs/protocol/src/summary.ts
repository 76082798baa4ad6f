import { z } from 'zod';
import { boundedArray, Label, RoundNumber, RunId, SiteId, Text } from './common.js';
import { EvaluationSplits } from './evaluation.js';
import { LIMITS } from './limits.js';
import { DropStage } from './round.js';
import { StrategyNameSchema, Task } from './run-config.js';

/** `runs/<run-id>/summary.json` of /work/shared/notes/result-formats.md ("Federated runs"). */
export const RoundSummary = z.strictObject({
  round: RoundNumber,
  cohort: boundedArray(SiteId, LIMITS.sites),
  dropped: boundedArray(z.strictObject({ site: SiteId, stage: DropStage, reason: Text.optional() }), LIMITS.sites),
  wall_s: z.number().nonnegative(),
  /** per centre: the `splits` of its evaluation. */
  metrics: z
    .record(SiteId, EvaluationSplits)
    .refine((m) => Object.keys(m).length <= LIMITS.sites, `too many sites (max ${LIMITS.sites})`),
  status: z.enum(['done', 'failed']).optional(),
  model_hash: z.string().max(64).optional(),
});

export const RunSummary = z.strictObject({
  run: RunId,
  task: Task,
  strategy: StrategyNameSchema,
  secure_aggregation: z.boolean(),
  backend: Label,
  rounds: boundedArray(RoundSummary, LIMITS.rounds),
  seed: z.number().int().optional(),
  config: z.string().max(LIMITS.id).optional(),
  versions: z.strictObject({ unbox: Label.optional(), tfjs: Label.optional(), node: Label.optional() }).optional(),
  created: z.iso.datetime().optional(),
});

export type RoundSummary = z.infer<typeof RoundSummary>;
export type RunSummary = z.infer<typeof RunSummary>;
