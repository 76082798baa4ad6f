import type { FitConfig } from '@unbox/protocol';
import { FlError } from '../errors.js';
import { BaseStrategy, makeState, stateSlot, type StrategyOptions, type StrategyState } from '../strategy.js';
import type { Parameters } from '../tensors.js';

export interface FedOptOptions extends StrategyOptions {
  /** server learning rate η. */
  readonly eta?: number;
  /** client learning rate η_l, sent to the sites as `lr` (defaults to Flower's value). */
  readonly etaL?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  /** adaptivity τ. */
  readonly tau?: number;
}

/**
 * Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2, as in Flower's FedOpt:
 *   Δ_t = avg_k(w_k) − x_t                       (pseudo-gradient, sample-weighted average)
 *   m_t = β1·m_{t−1} + (1 − β1)·Δ_t              (m_0 = 0)
 *   v_t = FedAdagrad: v_{t−1} + Δ_t²
 *         FedAdam:    β2·v_{t−1} + (1 − β2)·Δ_t²
 *         FedYogi:    v_{t−1} − (1 − β2)·Δ_t²·sign(v_{t−1} − Δ_t²)   (v_0 = 0)
 *   x_{t+1} = x_t + η·m_t / (√v_t + τ)
 * No bias correction, as in the paper and Flower.
 */
abstract class FedOpt extends BaseStrategy {
  readonly eta: number;
  readonly etaL: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;

  constructor(options: FedOptOptions, defaults: { eta: number; etaL: number; beta1: number; beta2: number; tau: number }) {
    super(options);
    this.eta = options.eta ?? defaults.eta;
    this.etaL = options.etaL ?? defaults.etaL;
    this.beta1 = options.beta1 ?? defaults.beta1;
    this.beta2 = options.beta2 ?? defaults.beta2;
    this.tau = options.tau ?? defaults.tau;
    for (const [k, v] of [['eta', this.eta], ['etaL', this.etaL], ['tau', this.tau]] as const)
      if (!(v > 0) || !Number.isFinite(v)) throw new FlError(`${this.constructor.name} ${k} must be > 0, got ${v}`);
    for (const [k, v] of [['beta1', this.beta1], ['beta2', this.beta2]] as const)
      if (!(v >= 0 && v < 1)) throw new FlError(`${this.constructor.name} ${k} must be in [0, 1), got ${v}`);
  }

  /** v_t from v_{t−1} and Δ_t² (one element). */
  protected abstract secondMoment(v: number, deltaSquared: number): number;

  protected override fitConfig(round: number): FitConfig {
    return { ...super.fitConfig(round), lr: this.etaL };
  }

  protected override stateSlots(): readonly string[] {
    return ['m', 'v'];
  }

  protected override serverUpdate(_round: number, global: Parameters, avg: Map<string, Float64Array>, state: StrategyState | null) {
    const next = new Map<string, Float64Array>();
    const ms = new Map<string, Float64Array>();
    const vs = new Map<string, Float64Array>();
    for (const g of global) {
      const a = avg.get(g.name);
      if (!a) continue;
      const m = stateSlot(state, 'm', g.name, a.length);
      const v = stateSlot(state, 'v', g.name, a.length);
      const x = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) {
        const delta = a[i] - g.data[i];
        m[i] = this.beta1 * m[i] + (1 - this.beta1) * delta;
        v[i] = this.secondMoment(v[i], delta * delta);
        x[i] = g.data[i] + (this.eta * m[i]) / (Math.sqrt(v[i]) + this.tau);
      }
      next.set(g.name, x);
      ms.set(g.name, m);
      vs.set(g.name, v);
    }
    return { next, state: makeState(this.name, global, this.isShared, { m: ms, v: vs }) };
  }
}

/** Flower defaults: η = 0.1, η_l = 0.1, β1 = 0.9, β2 = 0.99, τ = 1e-9. */
export class FedAdam extends FedOpt {
  readonly name = 'fedadam' as const;
  constructor(options: FedOptOptions) {
    super(options, { eta: 1e-1, etaL: 1e-1, beta1: 0.9, beta2: 0.99, tau: 1e-9 });
  }
  protected secondMoment(v: number, d2: number): number {
    return this.beta2 * v + (1 - this.beta2) * d2;
  }
}

/** Flower defaults: η = 0.01, η_l = 0.0316, β1 = 0.9, β2 = 0.99, τ = 1e-3. */
export class FedYogi extends FedOpt {
  readonly name = 'fedyogi' as const;
  constructor(options: FedOptOptions) {
    super(options, { eta: 1e-2, etaL: 0.0316, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
  }
  protected secondMoment(v: number, d2: number): number {
    return v - (1 - this.beta2) * d2 * Math.sign(v - d2);
  }
}

/** Flower defaults: η = 0.1, η_l = 0.1, τ = 1e-9; no first moment (β1 = 0, so m_t = Δ_t). */
export class FedAdagrad extends FedOpt {
  readonly name = 'fedadagrad' as const;
  constructor(options: Omit<FedOptOptions, 'beta1' | 'beta2'>) {
    super({ ...options, beta1: 0, beta2: 0 }, { eta: 1e-1, etaL: 1e-1, beta1: 0, beta2: 0, tau: 1e-9 });
  }
  protected secondMoment(v: number, d2: number): number {
    return v + d2;
  }
}
