import { BaseStrategy } from '../strategy.js';

/** McMahan et al. 2017: the new global model is the sample-weighted average of the sites' models. */
export class FedAvg extends BaseStrategy {
  readonly name = 'fedavg' as const;
}
