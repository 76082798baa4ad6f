import type { FitConfig, StrategyName } from '@unbox/protocol';
import {
  fedAvg,
  weightedMetrics,
  withShared,
  type FitInput,
  type SharedPredicate,
} from './aggregate.js';
import { FlError } from './errors.js';
import { modelHash } from './model-hash.js';
import { byName, namePatterns, sameShape, selectTensors, validateParameters, type Parameters, type Tensor } from './tensors.js';

/**
 * The strategy interface, shaped like Flower's `Strategy`: configure_fit → aggregate_fit →
 * configure_evaluate → aggregate_evaluate → evaluate, with failures passed explicitly. Unlike
 * Flower, sampling the cohort is the round machine's job (cohort.ts), and a server optimiser's
 * state is passed in and returned rather than hidden in the object, so a coordinator can persist
 * it with each model version and resume after a crash.
 */

/** Local training settings sent to the sites (the run config's `train`). */
export interface ClientTraining {
  readonly localEpochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed?: number;
  /** FixBN: rounds from this one on tell the sites to freeze batch-norm statistics */
  readonly freezeBnFromRound?: number;
  /** fit-config fields every round carries as they are (patient sampling, weight decay, scanner jitter, kept optimiser state) */
  readonly siteOptions?: SiteOptions;
}

/** The fit-config fields that go from the run config's `train` to every round unchanged. */
export type SiteOptions = Readonly<Pick<FitConfig, 'sampling' | 'weight_decay' | 'scanner_jitter' | 'keep_optimizer_state'>>;

/** A site that did not deliver, and why (Flower's `failures`). */
export interface Failure {
  readonly site: string;
  readonly stage: string;
  readonly reason: string;
}

export interface FitInstruction {
  readonly site: string;
  /** what the site loads: the whole model, or only its shared part (FedBN). */
  readonly parameters: Parameters;
  readonly modelHash: string;
  readonly config: FitConfig;
}

export interface EvaluateInstruction {
  readonly site: string;
  readonly parameters: Parameters;
  readonly modelHash: string;
  readonly config: { readonly server_round: number; readonly keep_local?: readonly string[] };
}

/** One site's evaluation (Flower's EvaluateRes); metrics flattened, e.g. `test.patient.auc`. */
export interface EvaluateResult {
  readonly site: string;
  readonly numExamples: number;
  readonly loss?: number;
  readonly metrics?: Readonly<Record<string, number>>;
}

/** A server optimiser's state (moments, momentum) as named tensors, storable like a model. */
export interface StrategyState {
  readonly strategy: StrategyName;
  readonly tensors: Parameters;
}

export interface AggregateFitArgs {
  readonly round: number;
  /** the global model the round started from (w_t). */
  readonly global: Parameters;
  readonly input: FitInput;
  readonly failures: readonly Failure[];
  /** the state returned by the previous round's aggregateFit (null in round 1). */
  readonly state: StrategyState | null;
}

export interface AggregateFitOutcome {
  /** the new global model (w_{t+1}), or null when the round must not update the model. */
  readonly parameters: Tensor[] | null;
  readonly state: StrategyState | null;
  readonly metrics: Record<string, number>;
  /** why parameters is null. */
  readonly reason?: string;
}

export interface CentralEvaluation {
  readonly loss: number;
  readonly metrics: Record<string, number>;
}

export interface Strategy {
  readonly name: StrategyName;
  /** false for tensors that stay at each site (FedBN's batch norm). */
  isShared(tensorName: string): boolean;
  configureFit(args: { round: number; global: Parameters; sites: readonly string[] }): FitInstruction[];
  aggregateFit(args: AggregateFitArgs): AggregateFitOutcome;
  configureEvaluate(args: { round: number; global: Parameters; sites: readonly string[] }): EvaluateInstruction[];
  aggregateEvaluate(args: {
    round: number;
    results: readonly EvaluateResult[];
    failures: readonly Failure[];
  }): { loss: number | null; metrics: Record<string, number> };
  /** Centralised evaluation on the coordinator, when one was configured (else null). */
  evaluate(round: number, parameters: Parameters): CentralEvaluation | null;
}

export interface StrategyOptions {
  readonly training: ClientTraining;
  /** aggregate rounds that had failures (Flower's accept_failures, default true). */
  readonly acceptFailures?: boolean;
  /** regular expressions (case-insensitive) naming tensors that stay at each site. */
  readonly localPatterns?: readonly string[];
  /** regular expressions naming tensors that sites send and the coordinator averages, but each site keeps its own value of (SiloBN). */
  readonly keepLocalPatterns?: readonly string[];
  readonly evaluateFn?: (round: number, parameters: Parameters) => CentralEvaluation | null;
}

function checkTraining(t: ClientTraining): void {
  if (!Number.isInteger(t.localEpochs) || t.localEpochs < 1) throw new FlError(`training.localEpochs must be an integer >= 1, got ${t.localEpochs}`);
  if (!Number.isInteger(t.batchSize) || t.batchSize < 1) throw new FlError(`training.batchSize must be an integer >= 1, got ${t.batchSize}`);
  if (!(t.lr > 0) || !Number.isFinite(t.lr)) throw new FlError(`training.lr must be > 0, got ${t.lr}`);
}

/** Everything but the server update: FedAvg's configure/aggregate/evaluate. */
export abstract class BaseStrategy implements Strategy {
  abstract readonly name: StrategyName;
  readonly training: ClientTraining;
  readonly acceptFailures: boolean;
  readonly localPatterns: readonly string[];
  readonly keepLocalPatterns: readonly string[];
  private readonly localRes: RegExp[];
  private readonly evaluateFn: StrategyOptions['evaluateFn'];

  constructor(options: StrategyOptions) {
    checkTraining(options.training);
    this.training = { ...options.training };
    this.acceptFailures = options.acceptFailures ?? true;
    this.localPatterns = [...(options.localPatterns ?? [])];
    this.localRes = namePatterns(this.localPatterns, 'localPatterns');
    this.keepLocalPatterns = [...(options.keepLocalPatterns ?? [])];
    namePatterns(this.keepLocalPatterns, 'keepLocalPatterns');
    this.evaluateFn = options.evaluateFn;
    this.isShared = this.isShared.bind(this);
  }

  isShared(tensorName: string): boolean {
    return !this.localRes.some((r) => r.test(tensorName));
  }

  /** The fit config every site of the round receives. */
  protected fitConfig(round: number): FitConfig {
    const c: FitConfig = {
      server_round: round,
      local_epochs: this.training.localEpochs,
      batch_size: this.training.batchSize,
      lr: this.training.lr,
    };
    if (this.training.seed !== undefined) c.seed = this.training.seed;
    Object.assign(c, this.training.siteOptions);
    if (this.training.freezeBnFromRound !== undefined && round >= this.training.freezeBnFromRound) c.freeze_bn_statistics = true;
    if (this.localPatterns.length > 0) c.local_patterns = [...this.localPatterns];
    if (this.keepLocalPatterns.length > 0) c.keep_local = [...this.keepLocalPatterns];
    return c;
  }

  /** The part of the model sent to sites: shared tensors only. */
  protected outgoing(global: Parameters): { parameters: Parameters; modelHash: string } {
    validateParameters(global, 'global model');
    const parameters = selectTensors(global, this.isShared);
    if (parameters.length === 0) throw new FlError('every tensor of the model is local: nothing to federate');
    return { parameters, modelHash: modelHash(parameters) };
  }

  configureFit({ round, global, sites }: { round: number; global: Parameters; sites: readonly string[] }): FitInstruction[] {
    const { parameters, modelHash } = this.outgoing(global);
    const config = this.fitConfig(round);
    return sites.map((site) => ({ site, parameters, modelHash, config }));
  }

  aggregateFit({ round, global, input, failures, state }: AggregateFitArgs): AggregateFitOutcome {
    const sites = input.kind === 'results' ? input.results.map((r) => r.site) : input.sum.sites;
    if (sites.length === 0 || (input.kind === 'sum' && input.sum.totalWeight === 0))
      return { parameters: null, state, metrics: {}, reason: 'no results to aggregate' };
    if (!this.acceptFailures && failures.length > 0)
      return { parameters: null, state, metrics: {}, reason: `${failures.length} site(s) failed and acceptFailures is false` };
    validateParameters(global, 'global model');
    this.checkState(global, state);
    const avg = fedAvg(global, input, this.isShared);
    const step = this.serverUpdate(round, global, avg, state);
    const reports = input.kind === 'results' ? input.results : (input.reports ?? []);
    const totalWeight = input.kind === 'results' ? input.results.reduce((s, r) => s + r.numExamples, 0) : input.sum.totalWeight;
    return {
      parameters: withShared(global, step.next),
      state: step.state,
      metrics: { ...weightedMetrics(reports), num_sites: sites.length, num_examples: totalWeight },
    };
  }

  /**
   * The server's step from the FedAvg average to the new global model; FedAvg takes the average
   * itself. Server optimisers override this.
   */
  protected serverUpdate(
    _round: number,
    _global: Parameters,
    avg: Map<string, Float64Array>,
    _state: StrategyState | null,
  ): { next: Map<string, Float64Array | Float32Array>; state: StrategyState | null } {
    return { next: avg, state: null };
  }

  /** The state tensor names this strategy keeps per shared tensor (e.g. ['m', 'v']). */
  protected stateSlots(): readonly string[] {
    return [];
  }

  private checkState(global: Parameters, state: StrategyState | null): void {
    if (!state) return;
    if (state.strategy !== this.name) throw new FlError(`strategy state belongs to '${state.strategy}', not '${this.name}'`);
    const s = byName(state.tensors);
    for (const g of global) {
      if (!this.isShared(g.name)) continue;
      for (const slot of this.stateSlots()) {
        const t = s.get(`${slot}/${g.name}`);
        if (!t) throw new FlError(`strategy state: tensor '${slot}/${g.name}' is missing`);
        if (!sameShape(t.shape, g.shape)) throw new FlError(`strategy state: tensor '${slot}/${g.name}' does not match the model's shape`);
      }
    }
  }

  configureEvaluate({ round, global, sites }: { round: number; global: Parameters; sites: readonly string[] }): EvaluateInstruction[] {
    const { parameters, modelHash } = this.outgoing(global);
    const config = { server_round: round, ...(this.keepLocalPatterns.length > 0 ? { keep_local: [...this.keepLocalPatterns] } : {}) };
    return sites.map((site) => ({ site, parameters, modelHash, config }));
  }

  /** Sample-weighted loss and metrics (Flower's weighted_loss_avg). */
  aggregateEvaluate({ results, failures }: { round: number; results: readonly EvaluateResult[]; failures: readonly Failure[] }) {
    if (results.length === 0 || (!this.acceptFailures && failures.length > 0)) return { loss: null, metrics: {} };
    const withLoss = results.filter((r) => r.loss !== undefined && Number.isFinite(r.loss) && r.numExamples > 0);
    const n = withLoss.reduce((s, r) => s + r.numExamples, 0);
    const loss = n > 0 ? withLoss.reduce((s, r) => s + r.numExamples * r.loss!, 0) / n : null;
    return { loss, metrics: weightedMetrics(results.filter((r) => r.numExamples > 0)) };
  }

  evaluate(round: number, parameters: Parameters): CentralEvaluation | null {
    return this.evaluateFn ? this.evaluateFn(round, parameters) : null;
  }
}

/** Reads a state slot as float64 (zeros when there is no state yet: m_0 = v_0 = 0 as in Flower). */
export function stateSlot(state: StrategyState | null, slot: string, name: string, length: number): Float64Array {
  const t = state ? byName(state.tensors).get(`${slot}/${name}`) : undefined;
  return t ? Float64Array.from(t.data) : new Float64Array(length);
}

export function makeState(strategy: StrategyName, global: Parameters, shared: SharedPredicate, slots: Record<string, Map<string, Float64Array>>): StrategyState {
  const tensors: Tensor[] = [];
  for (const [slot, values] of Object.entries(slots))
    for (const g of global)
      if (shared(g.name)) tensors.push({ name: `${slot}/${g.name}`, shape: [...g.shape], data: Float32Array.from(values.get(g.name)!) });
  return { strategy, tensors };
}
