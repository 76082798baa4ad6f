import { describe, expect, it } from 'vitest';
import { parseMessage, parseMessageOrThrow } from './messages.js';
import { DEFAULT_BN_PATTERNS, DEFAULT_BN_STATISTICS_PATTERNS, RunConfig, type RunConfigInput } from './run-config.js';

const base: RunConfigInput = {
  version: 1,
  task: 'classify',
  model: 'classifier',
  rounds: 10,
  strategy: { name: 'fedavg' },
  train: { batch_size: 8, lr: 1e-3 },
};

describe('run config', () => {
  it('applies defaults: secure aggregation on, Flower cohort defaults', () => {
    const c = RunConfig.parse(base);
    expect(c.secure_aggregation).toBe(true);
    expect(c.debug_plaintext).toBe(false);
    expect(c.cohort).toMatchObject({ min_sites: 2, fraction: 1, evaluate_fraction: 1 });
    expect(c.train.local_epochs).toBe(1);
    expect(c.seed).toBe(0);
  });

  it('fills strategy defaults as Flower does', () => {
    const adam = RunConfig.parse({ ...base, strategy: { name: 'fedadam' } }).strategy;
    expect(adam).toEqual({ name: 'fedadam', eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-9 });
    const yogi = RunConfig.parse({ ...base, strategy: { name: 'fedyogi' } }).strategy;
    expect(yogi).toEqual({ name: 'fedyogi', eta: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
    const avgm = RunConfig.parse({ ...base, strategy: { name: 'fedavgm' } }).strategy;
    expect(avgm).toEqual({ name: 'fedavgm', server_lr: 1, momentum: 0 });
    const bn = RunConfig.parse({ ...base, strategy: { name: 'fedbn' } }).strategy;
    expect(bn).toEqual({ name: 'fedbn', local_patterns: [...DEFAULT_BN_PATTERNS] });
    const silo = RunConfig.parse({ ...base, strategy: { name: 'silobn' } }).strategy;
    expect(silo).toEqual({ name: 'silobn', local_patterns: [...DEFAULT_BN_STATISTICS_PATTERNS] });
  });

  it('requires FedProx μ', () => {
    const r = parseMessage('run.config', { ...base, strategy: { name: 'fedprox' } });
    expect(!r.ok && r.error.field).toBe('strategy.mu');
  });

  it('plaintext aggregation needs the explicit debug flag', () => {
    const r = parseMessage('run.config', { ...base, secure_aggregation: false });
    expect(!r.ok && r.error.field).toBe('secure_aggregation');
    expect(!r.ok && r.error.reason).toContain('debug_plaintext');
    const ok = parseMessageOrThrow('run.config', { ...base, secure_aggregation: false, debug_plaintext: true });
    expect(ok.secure_aggregation).toBe(false);
    const both = parseMessage('run.config', { ...base, debug_plaintext: true });
    expect(!both.ok && both.error.field).toBe('debug_plaintext');
  });

  it('train.freeze_bn_from_round: a round number ≥ 1, named when wrong', () => {
    expect(RunConfig.parse({ ...base, rounds: 160, train: { ...base.train, freeze_bn_from_round: 80 } }).train.freeze_bn_from_round).toBe(80);
    const bad = parseMessage('run.config', { ...base, train: { ...base.train, freeze_bn_from_round: 0 } });
    expect(!bad.ok && bad.error.field).toBe('train.freeze_bn_from_round');
    const late = parseMessage('run.config', { ...base, train: { ...base.train, freeze_bn_from_round: base.rounds + 1 } });
    expect(!late.ok && [late.error.field, late.error.message]).toEqual(['train.freeze_bn_from_round', expect.stringContaining(`after the run's last round (${base.rounds})`)]);
  });

  it('train.scanner_jitter: for the classifier; refused for the segmenter, naming the field', () => {
    expect(RunConfig.parse({ ...base, train: { ...base.train, scanner_jitter: true } }).train.scanner_jitter).toBe(true);
    const seg = parseMessage('run.config', { ...base, task: 'segment', model: 'segmenter', train: { ...base.train, scanner_jitter: true } });
    expect(!seg.ok && [seg.error.field, seg.error.message]).toEqual(['train.scanner_jitter', expect.stringContaining('classifier only')]);
  });

  it('train.weight_decay: a coefficient in [0, 1], named when wrong', () => {
    expect(RunConfig.parse({ ...base, train: { ...base.train, weight_decay: 0 } }).train.weight_decay).toBe(0);
    const bad = parseMessage('run.config', { ...base, train: { ...base.train, weight_decay: -1e-5 } });
    expect(!bad.ok && bad.error.field).toBe('train.weight_decay');
  });

  it('train.keep_optimizer_state: a boolean, named when wrong', () => {
    expect(RunConfig.parse({ ...base, train: { ...base.train, keep_optimizer_state: true } }).train.keep_optimizer_state).toBe(true);
    const bad = parseMessage('run.config', { ...base, train: { ...base.train, keep_optimizer_state: 'yes' } });
    expect(!bad.ok && bad.error.field).toBe('train.keep_optimizer_state');
  });

  it('train.sampling: centre-balanced for the classifier; refused for the segmenter', () => {
    expect(RunConfig.parse({ ...base, train: { ...base.train, sampling: 'centre-balanced' } }).train.sampling).toBe('centre-balanced');
    expect(RunConfig.parse(base).train.sampling).toBeUndefined();
    const seg = parseMessage('run.config', { ...base, task: 'segment', model: 'segmenter', train: { ...base.train, sampling: 'uniform' } });
    expect(!seg.ok && seg.error.field).toBe('train.sampling');
    expect(!seg.ok && seg.error.reason).toContain('classifier only');
    const bad = parseMessage('run.config', { ...base, train: { ...base.train, sampling: 'balanced' } });
    expect(!bad.ok && bad.error.field).toBe('train.sampling');
  });

  it('refuses a threshold above min_sites', () => {
    const r = parseMessage('run.config', { ...base, cohort: { min_sites: 3, threshold: 4 } });
    expect(!r.ok && r.error.field).toBe('cohort.threshold');
  });

  it('refuses β = 1, an invalid FedBN pattern and an unknown strategy, naming the field', () => {
    const beta = parseMessage('run.config', { ...base, strategy: { name: 'fedadam', beta2: 1 } });
    expect(!beta.ok && beta.error.field).toBe('strategy.beta2');
    expect(!beta.ok && beta.error.code).toBe('bad_message');
    const pat = parseMessage('run.config', { ...base, strategy: { name: 'fedbn', local_patterns: ['bn('] } });
    expect(!pat.ok && pat.error.field).toBe('strategy.local_patterns.0');
    expect(!pat.ok && pat.error.reason).toContain('regular expression');
    const unknown = parseMessage('run.config', { ...base, strategy: { name: 'fedsgd' } });
    expect(!unknown.ok && unknown.error.field).toBe('strategy.name');
  });

  it('default batch-norm patterns match Keras and PyTorch names and nothing else', () => {
    const res = DEFAULT_BN_PATTERNS.map((p) => new RegExp(p, 'i'));
    const local = (n: string) => res.some((r) => r.test(n));
    for (const n of ['batch_normalization_3/gamma', 'batch_normalization/moving_variance', 'enc/bn1/beta', 'layer1.bn2.weight', 'bn.running_mean', 'BatchNorm2d_1/beta'])
      expect(local(n), n).toBe(true);
    for (const n of ['conv2d/kernel', 'dense_1/bias', 'subpixel/kernel', 'embedding/embeddings', 'abnormal/kernel'])
      expect(local(n), n).toBe(false);
  });

  it('default batch-norm statistics patterns (SiloBN) match the moving statistics only, not γ and β', () => {
    const res = DEFAULT_BN_STATISTICS_PATTERNS.map((p) => new RegExp(p, 'i'));
    const stat = (n: string) => res.some((r) => r.test(n));
    for (const n of ['batch_normalization/moving_mean', 'enc_bn/moving_variance', 'layer1.bn2.running_mean', 'bn.running_var', 'bn1.num_batches_tracked'])
      expect(stat(n), n).toBe(true);
    for (const n of ['batch_normalization/gamma', 'enc_bn/beta', 'layer1.bn2.weight', 'conv2d/kernel', 'moving_mean_head/kernel'])
      expect(stat(n), n).toBe(false);
  });
});
