import { DEFAULT_BN_PATTERNS } from '@unbox/protocol';
import { BaseStrategy, type StrategyOptions } from '../strategy.js';

/**
 * Li et al. 2021 (FedBN): batch-norm parameters and statistics never leave a site. Tensors whose
 * names match `localPatterns` (default: Keras/tfjs and PyTorch batch-norm names) are not sent,
 * not aggregated, and keep their global values on the coordinator; the rest is FedAvg.
 */
export class FedBN extends BaseStrategy {
  readonly name = 'fedbn' as const;

  constructor(options: StrategyOptions) {
    super({ ...options, localPatterns: options.localPatterns ?? [...DEFAULT_BN_PATTERNS] });
  }
}
