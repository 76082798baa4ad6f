import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageFromSum, checkUpdate, fedAvg, sumResults, weightedContribution, weightedMetrics, type FitResult, type WeightedSum } from './aggregate.js';
import { t } from './testing/params.js';

const global = [t('w', [1, 2, 3]), t('b', [0])];
const results: FitResult[] = [
  { site: 'A', numExamples: 1, parameters: [t('w', [2, 2, 2]), t('b', [4])], metrics: { loss: 1 } },
  { site: 'B', numExamples: 3, parameters: [t('w', [0, 2, 6]), t('b', [0])], metrics: { loss: 3 } },
];

describe('FedAvg aggregation', () => {
  it('is the sample-weighted average (hand-computed)', () => {
    // w = (1·[2,2,2] + 3·[0,2,6]) / 4 = [0.5, 2, 5];  b = (1·4 + 3·0) / 4 = 1
    const avg = fedAvg(global, { kind: 'results', results });
    expect(Array.from(avg.get('w')!)).toEqual([0.5, 2, 5]);
    expect(Array.from(avg.get('b')!)).toEqual([1]);
  });

  it('gives the same average from a secure-aggregation style sum as from the list, over weights or updates', () => {
    const fromList = fedAvg(global, { kind: 'results', results });
    for (const of of ['weights', 'deltas'] as const) {
      // Each site's contribution summed elementwise, as secure aggregation reveals it.
      const parts = results.map((r) => weightedContribution(global, r.parameters, r.numExamples, of));
      const tensors = parts[0].map((p, j) => ({ ...p, data: p.data.map((v, i) => v + parts[1][j].data[i]) }));
      const sum: WeightedSum = { of, tensors, totalWeight: 4, sites: ['A', 'B'] };
      const fromSum = fedAvg(global, { kind: 'sum', sum });
      for (const name of ['w', 'b']) {
        const a = Array.from(fromSum.get(name)!);
        Array.from(fromList.get(name)!).forEach((v, i) => expect(a[i]).toBeCloseTo(v, 12));
      }
    }
    // the update contributions are n·(w − global): A's w is 1·([2,2,2] − [1,2,3])
    expect(Array.from(weightedContribution(global, results[0].parameters, 1, 'deltas')[0].data)).toEqual([1, 0, -1]);
    expect(sumResults(global, results, 'weights').totalWeight).toBe(4);
  });

  it('refuses unusable updates, naming the site and tensor', () => {
    const bad = (parameters: FitResult['parameters'], numExamples = 1) => () =>
      fedAvg(global, { kind: 'results', results: [results[0], { site: 'C', numExamples, parameters }] });
    expect(bad([t('w', [1, 2]), t('b', [0])])).toThrow(/site 'C': tensor 'w' has shape \[2\], expected \[3\]/);
    expect(bad([t('w', [1, Number.NaN, 3]), t('b', [0])])).toThrow(/site 'C': tensor 'w' has a non-finite value at 1/);
    expect(bad([t('w', [1, 2, 3])])).toThrow(/tensor 'b' is missing/);
    expect(bad([t('w', [1, 2, 3]), t('b', [0]), t('x', [0])])).toThrow(/'x' is not part of the global model/);
    expect(bad([t('w', [1, 2, 3]), t('b', [0])], 0)).toThrow(/sample weight must be a positive/);
    expect(() => fedAvg(global, { kind: 'results', results: [results[0], results[0]] })).toThrow(/'A' appears twice/);
    expect(checkUpdate(global, results[1].parameters)).toBeNull();
  });

  it('refuses a sum that is incomplete or has zero weight', () => {
    const sum = sumResults(global, results, 'weights');
    expect(() => averageFromSum(global, { ...sum, tensors: sum.tensors.slice(0, 1) })).toThrow(/weighted sum: tensor 'b' is missing/);
    expect(() => averageFromSum(global, { ...sum, totalWeight: 0 })).toThrow(/positive/);
  });

  it('averages metrics by sample count', () => {
    // (1·1 + 3·3) / 4 = 2.5
    expect(weightedMetrics(results)).toEqual({ loss: 2.5 });
  });
});

describe('sum-based aggregation (property)', () => {
  it('equals list-based aggregation for any sites, weights and values, over weights or updates', () => {
    const site = fc.record({
      n: fc.integer({ min: 1, max: 10_000 }),
      w: fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), { minLength: 4, maxLength: 4 }),
    });
    fc.assert(
      fc.property(fc.array(site, { minLength: 1, maxLength: 6 }), fc.constantFrom('weights' as const, 'deltas' as const), (sites, of) => {
        const g = [t('w', [0.5, -1, 2, 0])];
        const rs: FitResult[] = sites.map((s, k) => ({ site: `S${k}`, numExamples: s.n, parameters: [t('w', s.w)] }));
        const parts = rs.map((r) => weightedContribution(g, r.parameters, r.numExamples, of)[0].data);
        const data = parts.reduce((acc, p) => acc.map((v, i) => v + p[i]), new Float64Array(4));
        const sum: WeightedSum = { of, tensors: [{ name: 'w', shape: [4], data }], totalWeight: sites.reduce((a, s) => a + s.n, 0), sites: rs.map((r) => r.site) };
        const a = fedAvg(g, { kind: 'sum', sum }).get('w')!;
        const b = fedAvg(g, { kind: 'results', results: rs }).get('w')!;
        a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-9));
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});
