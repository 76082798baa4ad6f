/** Wraps a trainer and keeps what it produced each round, so a test can recompute the aggregate. */
import type { Tensor } from '@unbox/fl';
import type { EvalSplit, FitConfig } from '@unbox/protocol';
import type { EvaluateOutcome, FitOutcome, LocalTrainer } from '../trainer.js';

export class RecordingTrainer implements LocalTrainer {
  readonly fits = new Map<number, { global: Tensor[]; out: FitOutcome }>();
  constructor(private readonly inner: LocalTrainer) {}
  initialLocal(): Tensor[] | null {
    return this.inner.initialLocal();
  }
  async fit(model: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    const out = await this.inner.fit(model, global, config);
    this.fits.set(config.server_round, { global, out });
    return out;
  }
  evaluate(model: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    return this.inner.evaluate(model, splits);
  }
}

/** Adds a delay to every fit (to hold a round open). */
export class SlowTrainer implements LocalTrainer {
  constructor(
    private readonly inner: LocalTrainer,
    private readonly delayMs: number,
  ) {}
  initialLocal(): Tensor[] | null {
    return this.inner.initialLocal();
  }
  async fit(model: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.inner.fit(model, global, config);
  }
  evaluate(model: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    return this.inner.evaluate(model, splits);
  }
}

/**
 * After every fit, sets the tensors matching `pattern` to this site's own value (a stand-in for
 * batch-norm statistics of its data), and records the models fit and evaluate were given.
 */
export class OwnValueTrainer implements LocalTrainer {
  readonly fitModels = new Map<number, Tensor[]>();
  readonly evaluated: Tensor[][] = [];
  readonly outs = new Map<number, FitOutcome>();
  constructor(
    private readonly inner: LocalTrainer,
    private readonly pattern: RegExp,
    readonly value: number,
    /** the site's own model before any round (null: the inner trainer's) */
    private readonly initial: Tensor[] | null = null,
  ) {}
  initialLocal(): Tensor[] | null {
    return this.initial ?? this.inner.initialLocal();
  }
  async fit(model: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    this.fitModels.set(config.server_round, model);
    const out = await this.inner.fit(model, global, config);
    const parameters = out.parameters.map((t) => (this.pattern.test(t.name) ? { ...t, data: new Float32Array(t.data.length).fill(this.value) } : t));
    const own = { ...out, parameters };
    this.outs.set(config.server_round, own);
    return own;
  }
  evaluate(model: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    this.evaluated.push(model);
    return this.inner.evaluate(model, splits);
  }
}
