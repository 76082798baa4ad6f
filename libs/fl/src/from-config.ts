import type { RunConfig } from '@unbox/protocol';
import type { RoundRules } from './round-machine.js';
import type { SiteOptions, Strategy, StrategyOptions } from './strategy.js';
import { FedAvg } from './strategies/fedavg.js';
import { FedAvgM } from './strategies/fedavgm.js';
import { FedBN } from './strategies/fedbn.js';
import { FedAdagrad, FedAdam, FedYogi } from './strategies/fedopt.js';
import { FedProx } from './strategies/fedprox.js';
import { SiloBN } from './strategies/silobn.js';

/** The strategy a (schema-checked) run config asks for. */
export function strategyFromConfig(config: RunConfig, extra: Pick<StrategyOptions, 'evaluateFn' | 'acceptFailures'> = {}): Strategy {
  const t = config.train;
  // fields absent (or false) in the run config stay absent from the fit config
  const siteOptions: SiteOptions = {
    ...(t.sampling ? { sampling: t.sampling } : {}),
    ...(t.weight_decay !== undefined ? { weight_decay: t.weight_decay } : {}),
    ...(t.scanner_jitter ? { scanner_jitter: true } : {}),
    ...(t.keep_optimizer_state ? { keep_optimizer_state: true } : {}),
  };
  const training = { localEpochs: t.local_epochs, batchSize: t.batch_size, lr: t.lr, seed: config.seed, siteOptions,
    ...(t.freeze_bn_from_round !== undefined ? { freezeBnFromRound: t.freeze_bn_from_round } : {}) };
  const base: StrategyOptions = { training, ...extra };
  const s = config.strategy;
  switch (s.name) {
    case 'fedavg':
      return new FedAvg(base);
    case 'fedprox':
      return new FedProx({ ...base, mu: s.mu });
    case 'fedavgm':
      return new FedAvgM({ ...base, serverLr: s.server_lr, momentum: s.momentum });
    // η_l is the sites' learning rate: unless the config states it, the run's train.lr is used.
    case 'fedadam':
      return new FedAdam({ ...base, eta: s.eta, etaL: s.eta_l ?? training.lr, beta1: s.beta1, beta2: s.beta2, tau: s.tau });
    case 'fedyogi':
      return new FedYogi({ ...base, eta: s.eta, etaL: s.eta_l ?? training.lr, beta1: s.beta1, beta2: s.beta2, tau: s.tau });
    case 'fedadagrad':
      return new FedAdagrad({ ...base, eta: s.eta, etaL: s.eta_l ?? training.lr, tau: s.tau });
    case 'fedbn':
      return new FedBN({ ...base, localPatterns: s.local_patterns });
    case 'silobn':
      return new SiloBN({ ...base, keepLocalPatterns: s.local_patterns });
  }
}

/** The round machine's rules from a run config's cohort section (seconds → ms). */
export function roundRulesFromConfig(config: RunConfig): RoundRules {
  const c = config.cohort;
  return {
    minSites: c.min_sites,
    fraction: c.fraction,
    threshold: c.threshold ?? c.min_sites,
    evaluateFraction: c.evaluate_fraction,
    minEvaluateSites: c.min_evaluate_sites,
    configureTimeoutMs: c.configure_timeout_s * 1000,
    fitTimeoutMs: c.fit_timeout_s * 1000,
    aggregateTimeoutMs: c.aggregate_timeout_s * 1000,
    evaluateTimeoutMs: c.evaluate_timeout_s * 1000,
    seed: config.seed,
  };
}
