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
