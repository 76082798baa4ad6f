import type { FitConfig } from '@unbox/protocol';
import { FlError } from '../errors.js';
import { BaseStrategy, type StrategyOptions } from '../strategy.js';

/**
 * Li et al. 2020 (FedProx): sites minimise F_k(w) + (μ/2)·‖w − w_t‖²; μ travels in the fit config
 * as `proximal_mu`. Aggregation is FedAvg's.
 */
export class FedProx extends BaseStrategy {
  readonly name = 'fedprox' as const;
  readonly mu: number;

  constructor(options: StrategyOptions & { mu: number }) {
    super(options);
    if (!Number.isFinite(options.mu) || options.mu < 0) throw new FlError(`FedProx mu must be >= 0, got ${options.mu}`);
    this.mu = options.mu;
  }

  protected override fitConfig(round: number): FitConfig {
    return { ...super.fitConfig(round), proximal_mu: this.mu };
  }
}
