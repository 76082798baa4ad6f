import { RunConfig } from '@unbox/protocol';
import { describe, expect, it } from 'vitest';
import { roundRulesFromConfig, strategyFromConfig } from './from-config.js';
import { validateRoundRules } from './round-machine.js';
import { FedAdam } from './strategies/fedopt.js';
import { t } from './testing/params.js';

const base = { version: 1, task: 'classify', model: 'classifier', rounds: 3, train: { batch_size: 8, lr: 0.002 } } as const;

describe('from run config', () => {
  it('builds every strategy the protocol names', () => {
    for (const name of ['fedavg', 'fedprox', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad', 'fedbn', 'silobn'] as const) {
      const strategy = name === 'fedprox' ? { name, mu: 0.1 } : { name };
      expect(strategyFromConfig(RunConfig.parse({ ...base, strategy })).name).toBe(name);
    }
  });

  it('passes strategy parameters through; η_l falls back to train.lr', () => {
    const s = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedadam', eta: 0.05 } })) as FedAdam;
    expect([s.eta, s.etaL, s.beta1, s.beta2, s.tau]).toEqual([0.05, 0.002, 0.9, 0.99, 1e-9]);
    const [fit] = strategyFromConfig(RunConfig.parse({ ...base, seed: 5, strategy: { name: 'fedprox', mu: 0.1 } })).configureFit({ round: 2, global: [t('w', [1])], sites: ['A'] });
    expect(fit.config).toEqual({ server_round: 2, local_epochs: 1, batch_size: 8, lr: 0.002, seed: 5, proximal_mu: 0.1 });
    const [balanced] = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, train: { ...base.train, sampling: 'centre-balanced' } })).configureFit({ round: 1, global: [t('w', [1])], sites: ['A'] });
    expect(balanced.config.sampling).toBe('centre-balanced');
  });

  it('FixBN: train.freeze_bn_from_round tells the sites to freeze batch-norm statistics from that round on', () => {
    const s = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, train: { ...base.train, freeze_bn_from_round: 3 } }));
    const at = (round: number) => s.configureFit({ round, global: [t('w', [1])], sites: ['A'] })[0].config.freeze_bn_statistics;
    expect([at(1), at(2), at(3), at(9)]).toEqual([undefined, undefined, true, true]);
    const never = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' } }));
    expect(never.configureFit({ round: 50, global: [t('w', [1])], sites: ['A'] })[0].config.freeze_bn_statistics).toBeUndefined();
  });

  it('train.keep_optimizer_state tells every round\'s sites to keep their optimiser moments; absent by default', () => {
    const kept = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, train: { ...base.train, keep_optimizer_state: true } }));
    expect([1, 2].map((round) => kept.configureFit({ round, global: [t('w', [1])], sites: ['A'] })[0].config.keep_optimizer_state)).toEqual([true, true]);
    const fresh = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' } }));
    expect(fresh.configureFit({ round: 2, global: [t('w', [1])], sites: ['A'] })[0].config.keep_optimizer_state).toBeUndefined();
  });

  it('train.weight_decay reaches every round\'s sites (0 included); absent by default', () => {
    const at = (train: object) => strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, train: { ...base.train, ...train } })).configureFit({ round: 1, global: [t('w', [1])], sites: ['A'] })[0].config.weight_decay;
    expect([at({ weight_decay: 0 }), at({ weight_decay: 1e-4 }), at({})]).toEqual([0, 1e-4, undefined]);
  });

  it('train.scanner_jitter reaches every round\'s sites; absent by default', () => {
    const jittered = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, train: { ...base.train, scanner_jitter: true } }));
    expect(jittered.configureFit({ round: 4, global: [t('w', [1])], sites: ['A'] })[0].config.scanner_jitter).toBe(true);
    const plain = strategyFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' } }));
    expect(plain.configureFit({ round: 4, global: [t('w', [1])], sites: ['A'] })[0].config.scanner_jitter).toBeUndefined();
  });

  it('maps cohort rules (seconds → ms, threshold defaults to min_sites) into valid round rules', () => {
    const r = roundRulesFromConfig(RunConfig.parse({ ...base, strategy: { name: 'fedavg' }, cohort: { min_sites: 4, fit_timeout_s: 60 } }));
    expect(r).toMatchObject({ minSites: 4, threshold: 4, fitTimeoutMs: 60_000, seed: 0 });
    expect(() => validateRoundRules(r)).not.toThrow();
  });
});
