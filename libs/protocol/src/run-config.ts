import { z } from 'zod';
import { Id, Label } from './common.js';
import { LIMITS } from './limits.js';

/**
 * A federated run, as written in a run config file and sent with `run start`. Defaults follow
 * Flower (flwr.server.strategy) so a config from a Flower experiment means the same thing here.
 */

const Unit = z.number().min(0).max(1);
const Beta = z.number().min(0).lt(1, 'must be < 1');
const Positive = z.number().positive();

/** Regular expressions (source text, matched case-insensitively) against tensor names. */
export const NamePattern = z
  .string()
  .min(1)
  .max(LIMITS.pattern, `too long (max ${LIMITS.pattern} characters)`)
  .refine((p) => {
    try {
      new RegExp(p, 'i');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/** The batch-norm statistics (Keras/tfjs and PyTorch names): what SiloBN keeps at each site. */
export const DEFAULT_BN_STATISTICS_PATTERNS = ['moving_(mean|variance)$', 'running_(mean|var)$', 'num_batches_tracked$'] as const;

/**
 * Batch-norm tensors as the supported model builders name them: Keras/tfjs
 * (`batch_normalization_3/gamma`, `.../moving_mean`), PyTorch (`bn1.running_var`) and `bn`/`norm` layers.
 */
export const DEFAULT_BN_PATTERNS = [
  'batch_?norm',
  '(^|[/._])bn\\d*([/._]|$)',
  ...DEFAULT_BN_STATISTICS_PATTERNS,
] as const;

/** One to LIMITS.patterns tensor-name patterns, `defaults` when absent. */
const patternList = (defaults: readonly string[]) =>
  z.array(NamePattern).min(1).max(LIMITS.patterns, `too many patterns (max ${LIMITS.patterns})`).default([...defaults]);

export const StrategyConfig = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('fedavg') }),
  /** Li et al. 2020: μ is sent to the sites, which add (μ/2)·‖w − w_global‖² to their loss. */
  z.strictObject({ name: z.literal('fedprox'), mu: z.number().min(0).max(1000) }),
  /** Hsu et al. 2019 (Flower FedAvgM): server SGD with momentum on the pseudo-gradient. */
  z.strictObject({
    name: z.literal('fedavgm'),
    server_lr: Positive.max(100).default(1),
    momentum: Beta.default(0),
  }),
  /** Reddi et al. 2021, Algorithm 2 (Flower FedAdam defaults). */
  z.strictObject({
    name: z.literal('fedadam'),
    eta: Positive.default(1e-1),
    /** client learning rate η_l; when absent, `train.lr` is used. */
    eta_l: Positive.optional(),
    beta1: Beta.default(0.9),
    beta2: Beta.default(0.99),
    tau: Positive.default(1e-9),
  }),
  /** Reddi et al. 2021, Algorithm 2 (Flower FedYogi defaults). */
  z.strictObject({
    name: z.literal('fedyogi'),
    eta: Positive.default(1e-2),
    eta_l: Positive.optional(),
    beta1: Beta.default(0.9),
    beta2: Beta.default(0.99),
    tau: Positive.default(1e-3),
  }),
  /** Reddi et al. 2021 (Flower FedAdagrad: no first moment). */
  z.strictObject({
    name: z.literal('fedadagrad'),
    eta: Positive.default(1e-1),
    eta_l: Positive.optional(),
    tau: Positive.default(1e-9),
  }),
  /** Li et al. 2021: tensors matching `local_patterns` (batch norm) stay at each site. */
  z.strictObject({
    name: z.literal('fedbn'),
    local_patterns: patternList(DEFAULT_BN_PATTERNS),
  }),
  /**
   * Andreux et al. 2020 (SiloBN): every site normalises with batch-norm statistics of its own
   * data; the learned parameters, batch-norm scale and shift included, are FedAvg. Tensors
   * matching `local_patterns` are still sent and averaged (the global model carries the
   * consortium's mean statistics for a centre without its own), but a site never loads them.
   */
  z.strictObject({
    name: z.literal('silobn'),
    local_patterns: patternList(DEFAULT_BN_STATISTICS_PATTERNS),
  }),
]);

/** Who takes part in a round, and when a round gives up on a site. */
export const CohortConfig = z
  .strictObject({
    /** sites that must be connected to start a round; also the smallest cohort (Flower min_available/min_fit). */
    min_sites: z.number().int().min(1).max(LIMITS.sites).default(2),
    /** fraction of connected sites sampled for training (Flower fraction_fit). */
    fraction: z.number().gt(0, 'must be > 0').max(1).default(1),
    /** fewest finished sites with which a round still aggregates; defaults to min_sites. */
    threshold: z.number().int().min(1).max(LIMITS.sites).optional(),
    /** fraction of connected sites asked to evaluate (0 disables federated evaluation). */
    evaluate_fraction: Unit.default(1),
    min_evaluate_sites: z.number().int().min(0).max(LIMITS.sites).default(1),
    configure_timeout_s: Positive.max(86_400).default(120),
    fit_timeout_s: Positive.max(7 * 86_400).default(3600),
    aggregate_timeout_s: Positive.max(86_400).default(600),
    evaluate_timeout_s: Positive.max(86_400).default(1800),
  })
  .refine((c) => c.threshold === undefined || c.threshold <= c.min_sites, {
    message: 'must be <= min_sites (a round could never reach it)',
    path: ['threshold'],
  });

/**
 * The classifier's patient draw per step (the values of @unbox/models' PatientSampling): 'uniform',
 * or 'centre-balanced', pairs of one NCP and one non-NCP patient of one centre. A site holds one
 * centre, so there it means class-balanced pairs of its own patients.
 */
export const PatientSampling = z.enum(['uniform', 'centre-balanced']);

export const TrainConfig = z.strictObject({
  local_epochs: z.number().int().min(1).max(1000).default(1),
  batch_size: z.number().int().min(1).max(4096),
  lr: Positive.max(10),
  /** classify only: how each local step draws its patients (default uniform). */
  sampling: PatientSampling.optional(),
  /**
   * FixBN (Zhong et al. 2023): from this round on, sites train with the global model's batch-norm
   * statistics (frozen) instead of their one-centre batches' statistics; absent = never.
   */
  freeze_bn_from_round: z.number().int().min(1).max(LIMITS.rounds).optional(),
  /** the sites' L2 weight-decay coefficient on the kernels; absent = the model's own (paper 3.4: 1e-5) */
  weight_decay: z.number().min(0).max(1).optional(),
  /**
   * classify only: every training view gets a random scanner calibration HU' = s·HU + o and
   * Gaussian noise per scan and step (@unbox/data SCANNER_JITTER), so a site's batches span other
   * scanners than its own. Default false.
   */
  scanner_jitter: z.boolean().optional(),
  /**
   * Each site keeps its Adam moments from one round to its next instead of starting a fresh
   * optimiser every round (local state; nothing of it is sent). Default false.
   */
  keep_optimizer_state: z.boolean().optional(),
});

export const Task = z.enum(['classify', 'segment']);

export const RunConfig = z
  .strictObject({
    version: z.literal(1),
    name: Label.optional(),
    task: Task,
    /** model builder name from @unbox/models (e.g. `classifier`, `segmenter`). */
    model: Id,
    rounds: z.number().int().min(1).max(LIMITS.rounds),
    /** seeds cohort sampling (and the sites' local shuffles). */
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
    strategy: StrategyConfig,
    cohort: CohortConfig.prefault({}),
    train: TrainConfig,
    /** Bonawitz et al. 2017 secure aggregation: on unless explicitly debugging. */
    secure_aggregation: z.boolean().default(true),
    /** must be true to run with secure_aggregation: false; the coordinator logs it every round. */
    debug_plaintext: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (!c.secure_aggregation && !c.debug_plaintext)
      ctx.addIssue({
        code: 'custom',
        path: ['secure_aggregation'],
        message: 'plaintext aggregation is a debug mode: set debug_plaintext: true to allow it',
      });
    if (c.secure_aggregation && c.debug_plaintext)
      ctx.addIssue({ code: 'custom', path: ['debug_plaintext'], message: 'conflicts with secure_aggregation: true' });
    if (c.train.freeze_bn_from_round !== undefined && c.train.freeze_bn_from_round > c.rounds)
      ctx.addIssue({ code: 'custom', path: ['train', 'freeze_bn_from_round'], message: `round ${c.train.freeze_bn_from_round} is after the run's last round (${c.rounds})` });
    if (c.task !== 'classify' && c.train.scanner_jitter)
      ctx.addIssue({ code: 'custom', path: ['train', 'scanner_jitter'], message: `scanner jitter applies to the classifier only (this run's task is ${c.task})` });
    if (c.task !== 'classify' && c.train.sampling !== undefined)
      ctx.addIssue({ code: 'custom', path: ['train', 'sampling'], message: `patient sampling applies to the classifier only (this run's task is ${c.task})` });
  });

export type StrategyConfig = z.infer<typeof StrategyConfig>;
export const STRATEGY_NAMES = ['fedavg', 'fedprox', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad', 'fedbn', 'silobn'] as const satisfies readonly StrategyConfig['name'][];
export const StrategyNameSchema = z.enum(STRATEGY_NAMES);
export type StrategyName = StrategyConfig['name'];
export type CohortConfig = z.infer<typeof CohortConfig>;
export type TrainConfig = z.infer<typeof TrainConfig>;
export type RunConfig = z.infer<typeof RunConfig>;
/** A run config as written by hand: defaults not yet applied. */
export type RunConfigInput = z.input<typeof RunConfig>;
