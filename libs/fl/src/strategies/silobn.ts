import { DEFAULT_BN_STATISTICS_PATTERNS } from '@unbox/protocol';
import { BaseStrategy, type StrategyOptions } from '../strategy.js';

/**
 * Andreux et al. 2020 (SiloBN, "Siloed federated learning for multi-centric histopathology
 * datasets"): each site normalises with the batch-norm statistics of its own data, which is what
 * its training batches (one centre each) normalised with; every learned tensor, batch-norm scale
 * and shift included, is FedAvg. The statistics (`keepLocalPatterns`, default: Keras/tfjs and
 * PyTorch moving statistics) are still sent and averaged, so the global model carries the
 * consortium's mean statistics for a centre that has none of its own, but no site loads them.
 */
export class SiloBN extends BaseStrategy {
  readonly name = 'silobn' as const;

  constructor(options: StrategyOptions) {
    super({ ...options, keepLocalPatterns: options.keepLocalPatterns ?? [...DEFAULT_BN_STATISTICS_PATTERNS] });
  }
}
