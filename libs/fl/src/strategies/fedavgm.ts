import { FlError } from '../errors.js';
import { BaseStrategy, makeState, stateSlot, type StrategyOptions, type StrategyState } from '../strategy.js';
import type { Parameters } from '../tensors.js';

/**
 * Hsu et al. 2019 (FedAvgM), as Flower implements it: pseudo-gradient g = w_t − avg,
 * momentum v ← β·v + g (v = g in the first round), w_{t+1} = w_t − η_s·v.
 */
export class FedAvgM extends BaseStrategy {
  readonly name = 'fedavgm' as const;
  readonly serverLr: number;
  readonly momentum: number;

  constructor(options: StrategyOptions & { serverLr?: number; momentum?: number }) {
    super(options);
    this.serverLr = options.serverLr ?? 1;
    this.momentum = options.momentum ?? 0;
    if (!(this.serverLr > 0) || !Number.isFinite(this.serverLr)) throw new FlError(`FedAvgM serverLr must be > 0, got ${this.serverLr}`);
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new FlError(`FedAvgM momentum must be in [0, 1), got ${this.momentum}`);
  }

  protected override stateSlots(): readonly string[] {
    return this.momentum > 0 ? ['momentum'] : [];
  }

  protected override serverUpdate(_round: number, global: Parameters, avg: Map<string, Float64Array>, state: StrategyState | null) {
    const next = new Map<string, Float64Array>();
    const momentum = new Map<string, Float64Array>();
    for (const g of global) {
      const a = avg.get(g.name);
      if (!a) continue;
      const v = stateSlot(state, 'momentum', g.name, a.length);
      const w = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) {
        const grad = g.data[i] - a[i];
        // No state yet ⇒ v = g (Flower's round-1 rule); else v = β·v + g.
        const vi = this.momentum > 0 ? (state ? this.momentum * v[i] + grad : grad) : grad;
        v[i] = vi;
        w[i] = g.data[i] - this.serverLr * vi;
      }
      next.set(g.name, w);
      momentum.set(g.name, v);
    }
    return { next, state: this.momentum > 0 ? makeState(this.name, global, this.isShared, { momentum }) : null };
  }
}
