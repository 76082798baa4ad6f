import { describe, expect, it } from 'vitest';
import { sumResults, type FitResult } from './aggregate.js';
import { modelHash } from './model-hash.js';
import { decodeParameters, encodeParameters } from './serialize.js';
import { FedAvg } from './strategies/fedavg.js';
import { FedAvgM } from './strategies/fedavgm.js';
import { FedBN } from './strategies/fedbn.js';
import { SiloBN } from './strategies/silobn.js';
import { FedAdagrad, FedAdam, FedYogi } from './strategies/fedopt.js';
import { FedProx } from './strategies/fedprox.js';
import type { Strategy, StrategyState } from './strategy.js';
import type { Parameters } from './tensors.js';
import { t, values } from './testing/params.js';

const training = { localEpochs: 2, batchSize: 8, lr: 0.01 };
/** 3 parameters; two clients with 1 and 3 examples. Their FedAvg is [0.5, 2, 5]. */
const x0 = [t('w', [1, 2, 3])];
const round1: FitResult[] = [
  { site: 'A', numExamples: 1, parameters: [t('w', [2, 2, 2])] },
  { site: 'B', numExamples: 3, parameters: [t('w', [0, 2, 6])] },
];
/** Both clients return x + [1, 0, 0.1], so the average is exactly that. */
function round2(x: Parameters): FitResult[] {
  const w = values(x, 'w');
  const p = [t('w', [w[0] + 1, w[1], w[2] + 0.1])];
  return [
    { site: 'A', numExamples: 2, parameters: p },
    { site: 'B', numExamples: 2, parameters: p },
  ];
}

function run(s: Strategy, global: Parameters, results: FitResult[], state: StrategyState | null, round = 1) {
  const out = s.aggregateFit({ round, global, input: { kind: 'results', results }, failures: [], state });
  expect(out.parameters, out.reason).not.toBeNull();
  return out;
}

function expectClose(actual: number[], expected: number[], digits = 6) {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => expect(actual[i], `index ${i}`).toBeCloseTo(e, digits));
}

describe('FedAvg / FedProx', () => {
  it('FedAvg takes the weighted average and reports weighted metrics', () => {
    const out = run(new FedAvg({ training }), x0, round1, null);
    expect(values(out.parameters, 'w')).toEqual([0.5, 2, 5]);
    expect(out.state).toBeNull();
    expect(out.metrics).toMatchObject({ num_sites: 2, num_examples: 4 });
  });

  it('FedProx sends μ to the sites and aggregates as FedAvg', () => {
    const s = new FedProx({ training, mu: 0.01 });
    const [a, b] = s.configureFit({ round: 3, global: x0, sites: ['A', 'B'] });
    expect(a.config).toEqual({ server_round: 3, local_epochs: 2, batch_size: 8, lr: 0.01, proximal_mu: 0.01 });
    expect(b.site).toBe('B');
    expect(a.modelHash).toBe(modelHash(x0));
    expect(values(run(s, x0, round1, null).parameters, 'w')).toEqual([0.5, 2, 5]);
    expect(() => new FedProx({ training, mu: -1 })).toThrow(/mu must be >= 0/);
  });

  it('does not aggregate when there are no results, or failures and acceptFailures is false', () => {
    const none = new FedAvg({ training }).aggregateFit({ round: 1, global: x0, input: { kind: 'results', results: [] }, failures: [], state: null });
    expect(none.parameters).toBeNull();
    const strict = new FedAvg({ training, acceptFailures: false });
    const out = strict.aggregateFit({ round: 1, global: x0, input: { kind: 'results', results: round1 }, failures: [{ site: 'C', stage: 'fit', reason: 'timeout' }], state: null });
    expect(out.parameters).toBeNull();
    expect(out.reason).toContain('acceptFailures');
  });
});

describe('FedAvgM (Flower: v = g in round 1, then v = β·v + g; w = w − η_s·v)', () => {
  it('two rounds by hand', () => {
    const s = new FedAvgM({ training, serverLr: 1, momentum: 0.9 });
    // Round 1: g = x − avg = [0.5, 0, −2]; v = g; w = x − v = avg.
    const r1 = run(s, x0, round1, null);
    expectClose(values(r1.parameters, 'w'), [0.5, 2, 5]);
    expectClose(values(r1.state!.tensors, 'momentum/w'), [0.5, 0, -2]);
    // Round 2: clients average [1.5, 2, 5.1]; g = [−1, 0, −0.1]; v = 0.9·[0.5, 0, −2] − [1, 0, 0.1] = [−0.55, 0, −1.9]
    // w = [0.5, 2, 5] − v = [1.05, 2, 6.9]
    const r2 = run(s, r1.parameters!, round2(r1.parameters!), r1.state, 2);
    expectClose(values(r2.parameters, 'w'), [1.05, 2, 6.9]);
  });

  it('server learning rate scales the step; no momentum keeps no state', () => {
    // w = x − 0.5·(x − avg) = [0.75, 2, 4]
    const out = run(new FedAvgM({ training, serverLr: 0.5 }), x0, round1, null);
    expectClose(values(out.parameters, 'w'), [0.75, 2, 4]);
    expect(out.state).toBeNull();
  });
});

describe('FedAdam / FedYogi / FedAdagrad (Reddi et al. 2021, Algorithm 2)', () => {
  it('FedAdam, two rounds by hand', () => {
    const s = new FedAdam({ training });
    expect([s.eta, s.etaL, s.beta1, s.beta2, s.tau]).toEqual([0.1, 0.1, 0.9, 0.99, 1e-9]);
    // Δ = [0.5, 2, 5] − [1, 2, 3] = [−0.5, 0, 2]; m = 0.1·Δ = [−0.05, 0, 0.2]; v = 0.01·Δ² = [0.0025, 0, 0.04]
    // x = [1 + 0.1·(−0.05)/0.05, 2 + 0, 3 + 0.1·0.2/0.2] = [0.9, 2, 3.1]   (τ = 1e-9 negligible)
    const r1 = run(s, x0, round1, null);
    expectClose(values(r1.parameters, 'w'), [0.9, 2, 3.1]);
    expectClose(values(r1.state!.tensors, 'm/w'), [-0.05, 0, 0.2]);
    expectClose(values(r1.state!.tensors, 'v/w'), [0.0025, 0, 0.04]);
    // Round 2: Δ = [1, 0, 0.1]; m = 0.9·m + 0.1·Δ = [0.055, 0, 0.19]; v = 0.99·v + 0.01·Δ² = [0.012475, 0, 0.0397]
    // x = [0.9 + 0.1·0.055/√0.012475, 2, 3.1 + 0.1·0.19/√0.0397] = [0.949242764, 2, 3.195358266]
    const r2 = run(s, r1.parameters!, round2(r1.parameters!), r1.state, 2);
    expectClose(values(r2.state!.tensors, 'm/w'), [0.055, 0, 0.19]);
    expectClose(values(r2.state!.tensors, 'v/w'), [0.012475, 0, 0.0397]);
    expectClose(values(r2.parameters, 'w'), [0.949242764, 2, 3.195358266], 5);
  });

  it('FedYogi, two rounds by hand (v moves by (1 − β2)·Δ² towards Δ²)', () => {
    const s = new FedYogi({ training });
    expect([s.eta, s.etaL, s.beta1, s.beta2, s.tau]).toEqual([0.01, 0.0316, 0.9, 0.99, 1e-3]);
    // Round 1: v = 0 − 0.01·Δ²·sign(0 − Δ²) = [0.0025, 0, 0.04]; m as FedAdam
    // x = [1 − 0.01·0.05/(0.05 + 0.001), 2, 3 + 0.01·0.2/(0.2 + 0.001)] = [0.990196078, 2, 3.009950249]
    const r1 = run(s, x0, round1, null);
    expectClose(values(r1.parameters, 'w'), [0.990196078, 2, 3.009950249]);
    // Round 2: Δ = [1, 0, 0.1]
    // v0 = 0.0025 − 0.01·1·sign(0.0025 − 1) = 0.0125 (grows); v2 = 0.04 − 0.01·0.01·sign(0.04 − 0.01) = 0.0399 (shrinks)
    // x = [x0 + 0.01·0.055/(√0.0125 + 0.001), 2, x2 + 0.01·0.19/(√0.0399 + 0.001)]
    const r2 = run(s, r1.parameters!, round2(r1.parameters!), r1.state, 2);
    expectClose(values(r2.state!.tensors, 'v/w'), [0.0125, 0, 0.0399]);
    expectClose(values(r2.parameters, 'w'), [0.995071818, 2, 3.019414764], 5);
  });

  it('FedAdagrad: v accumulates Δ², m = Δ', () => {
    // v = Δ² = [0.25, 0, 4]; x = [1 + 0.1·(−0.5)/0.5, 2, 3 + 0.1·2/2] = [0.9, 2, 3.1]
    const r1 = run(new FedAdagrad({ training }), x0, round1, null);
    expectClose(values(r1.parameters, 'w'), [0.9, 2, 3.1]);
    expectClose(values(r1.state!.tensors, 'v/w'), [0.25, 0, 4]);
  });

  it('sends η_l as the sites\' learning rate', () => {
    const [fit] = new FedYogi({ training }).configureFit({ round: 1, global: x0, sites: ['A'] });
    expect(fit.config.lr).toBe(0.0316);
    const [fit2] = new FedAdam({ training, etaL: 0.003 }).configureFit({ round: 1, global: x0, sites: ['A'] });
    expect(fit2.config.lr).toBe(0.003);
  });

  it('resumes from a stored state exactly as if it had never stopped', () => {
    const s = new FedAdam({ training });
    const r1 = run(s, x0, round1, null);
    // Persist model and optimiser state as bytes, as a coordinator would, and reload them.
    const m = encodeParameters(r1.parameters!);
    const st = encodeParameters(r1.state!.tensors);
    const reloaded = { global: decodeParameters(m.manifest, m.bytes), state: { strategy: 'fedadam' as const, tensors: decodeParameters(st.manifest, st.bytes) } };
    const direct = run(s, r1.parameters!, round2(r1.parameters!), r1.state, 2);
    const resumed = run(new FedAdam({ training }), reloaded.global, round2(reloaded.global), reloaded.state, 2);
    expect(modelHash(resumed.parameters!)).toBe(modelHash(direct.parameters!));
  });

  it('refuses state from another strategy or another model', () => {
    const r1 = run(new FedAdam({ training }), x0, round1, null);
    expect(() => run(new FedYogi({ training }), x0, round1, r1.state)).toThrow(/belongs to 'fedadam'/);
    expect(() => run(new FedAdam({ training }), [t('w', [1, 2, 3]), t('b', [0])], round1, r1.state)).toThrow(/'m\/b' is missing/);
    expect(() => new FedAdam({ training, beta2: 1 })).toThrow(/beta2 must be in \[0, 1\)/);
  });

  it('gives the same step from a secure-aggregation sum as from the list', () => {
    const s = new FedAdam({ training });
    const fromList = run(s, x0, round1, null);
    const sum = sumResults(x0, round1, 'deltas');
    const fromSum = s.aggregateFit({ round: 1, global: x0, input: { kind: 'sum', sum }, failures: [], state: null });
    expectClose(values(fromSum.parameters, 'w'), values(fromList.parameters, 'w'), 6);
    expectClose(values(fromSum.state!.tensors, 'v/w'), values(fromList.state!.tensors, 'v/w'), 9);
  });
});

describe('FedBN', () => {
  const global = [t('conv/kernel', [1, 1]), t('batch_normalization/gamma', [1]), t('batch_normalization/moving_mean', [0])];
  const site = (k: number[], gamma: number, mean: number) => [t('conv/kernel', k), t('batch_normalization/gamma', [gamma]), t('batch_normalization/moving_mean', [mean])];

  it('sends, aggregates and updates only the shared tensors; batch norm stays', () => {
    const s = new FedBN({ training });
    const [fit] = s.configureFit({ round: 1, global, sites: ['A'] });
    expect(fit.parameters.map((p) => p.name)).toEqual(['conv/kernel']);
    expect(fit.config.local_patterns).toEqual(s.localPatterns);
    expect(fit.modelHash).toBe(modelHash([global[0]]));
    const out = run(s, global, [
      { site: 'A', numExamples: 1, parameters: site([3, 3], 5, 7) },
      { site: 'B', numExamples: 1, parameters: site([1, 5], 9, 11) },
    ], null);
    expect(values(out.parameters, 'conv/kernel')).toEqual([2, 4]);
    expect(values(out.parameters, 'batch_normalization/gamma')).toEqual([1]);
    expect(values(out.parameters, 'batch_normalization/moving_mean')).toEqual([0]);
  });

  it('accepts site updates without the local tensors, and refuses a sum that contains them', () => {
    const s = new FedBN({ training });
    const out = run(s, global, [{ site: 'A', numExamples: 2, parameters: [t('conv/kernel', [3, 5])] }], null);
    expect(values(out.parameters, 'conv/kernel')).toEqual([3, 5]);
    const leaky = { of: 'weights' as const, tensors: [{ name: 'conv/kernel', shape: [2], data: new Float64Array([2, 2]) }, { name: 'batch_normalization/gamma', shape: [1], data: new Float64Array([1]) }], totalWeight: 1, sites: ['A'] };
    expect(() => s.aggregateFit({ round: 1, global, input: { kind: 'sum', sum: leaky }, failures: [], state: null })).toThrow(/'batch_normalization\/gamma' stays local/);
  });

  it('takes configurable patterns', () => {
    const s = new FedBN({ training, localPatterns: ['^conv/'] });
    expect(s.isShared('conv/kernel')).toBe(false);
    expect(s.isShared('batch_normalization/gamma')).toBe(true);
    expect(() => new FedBN({ training, localPatterns: ['('] })).toThrow(/not a valid regular expression/);
  });
});

describe('SiloBN', () => {
  const global = [t('conv/kernel', [1, 1]), t('batch_normalization/gamma', [1]), t('batch_normalization/moving_mean', [0]), t('batch_normalization/moving_variance', [1])];
  const site = (k: number[], gamma: number, mean: number, variance: number) => [t('conv/kernel', k), t('batch_normalization/gamma', [gamma]), t('batch_normalization/moving_mean', [mean]), t('batch_normalization/moving_variance', [variance])];

  it('sends every tensor, tells the sites to keep their own statistics, and averages everything', () => {
    const s = new SiloBN({ training });
    expect(global.every((g) => s.isShared(g.name))).toBe(true);
    const [fit] = s.configureFit({ round: 1, global, sites: ['A'] });
    expect(fit.parameters.map((p) => p.name)).toEqual(global.map((g) => g.name));
    expect(fit.modelHash).toBe(modelHash(global));
    expect(fit.config.keep_local).toEqual(['moving_(mean|variance)$', 'running_(mean|var)$', 'num_batches_tracked$']);
    expect(fit.config.local_patterns).toBeUndefined();
    const out = run(s, global, [
      { site: 'A', numExamples: 1, parameters: site([3, 3], 5, 7, 2) },
      { site: 'B', numExamples: 3, parameters: site([1, 5], 9, 11, 6) },
    ], null);
    // (1·3 + 3·1)/4 = 1.5, (1·3 + 3·5)/4 = 4.5; γ (5 + 27)/4 = 8; the global model carries the mean statistics
    expect(values(out.parameters, 'conv/kernel')).toEqual([1.5, 4.5]);
    expect(values(out.parameters, 'batch_normalization/gamma')).toEqual([8]);
    expect(values(out.parameters, 'batch_normalization/moving_mean')).toEqual([10]);
    expect(values(out.parameters, 'batch_normalization/moving_variance')).toEqual([5]);
    const [ev] = s.configureEvaluate({ round: 1, global, sites: ['A'] });
    expect(ev.config).toEqual({ server_round: 1, keep_local: fit.config.keep_local });
  });

  it('takes configurable patterns and refuses an invalid one', () => {
    expect(new SiloBN({ training, keepLocalPatterns: ['_bn/moving_mean$'] }).configureFit({ round: 2, global, sites: ['A'] })[0].config.keep_local).toEqual(['_bn/moving_mean$']);
    expect(() => new SiloBN({ training, keepLocalPatterns: ['('] })).toThrow(/keepLocalPatterns: '\(' is not a valid regular expression/);
  });
});

describe('evaluation', () => {
  it('weights loss and metrics by examples; evaluates centrally only when configured', () => {
    const s = new FedAvg({ training, evaluateFn: (round) => ({ loss: round, metrics: {} }) });
    const agg = s.aggregateEvaluate({
      round: 1,
      results: [
        { site: 'A', numExamples: 10, loss: 1, metrics: { auc: 0.5 } },
        { site: 'B', numExamples: 30, loss: 2, metrics: { auc: 0.9 } },
      ],
      failures: [],
    });
    // (10·1 + 30·2) / 40 = 1.75; (10·0.5 + 30·0.9) / 40 = 0.8
    expect(agg.loss).toBeCloseTo(1.75, 12);
    expect(agg.metrics.auc).toBeCloseTo(0.8, 12);
    expect(s.evaluate(4, x0)).toEqual({ loss: 4, metrics: {} });
    expect(new FedAvg({ training }).evaluate(1, x0)).toBeNull();
    expect(s.aggregateEvaluate({ round: 1, results: [], failures: [] }).loss).toBeNull();
    const [ev] = new FedBN({ training }).configureEvaluate({ round: 2, global: [t('k', [1]), t('bn/beta', [0])], sites: ['D'] });
    expect(ev.parameters.map((p) => p.name)).toEqual(['k']);
    expect(ev.config).toEqual({ server_round: 2 });
  });
});
