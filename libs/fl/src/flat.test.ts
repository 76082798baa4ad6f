import { describe, expect, it } from 'vitest';
import { fedAvg, type FitResult } from './aggregate.js';
import { sharedLength, sumFromVector, updateVector } from './flat.js';
import { FedBN } from './strategies/fedbn.js';
import { t, values } from './testing/params.js';

const global = [t('w', [1, 2, 3]), t('b', [0]), t('bn/gamma', [1])];
const results: FitResult[] = [
  { site: 'A', numExamples: 1, parameters: [t('w', [2, 2, 2]), t('b', [4]), t('bn/gamma', [5])] },
  { site: 'B', numExamples: 3, parameters: [t('bn/gamma', [7]), t('b', [0]), t('w', [0, 2, 6])] },
];

describe('flat vectors for secure aggregation', () => {
  it('lays out shared tensors in name order, whatever the listing order', () => {
    expect(sharedLength(global)).toBe(5);
    // canonical order: b, bn/gamma, w — A's update w − global
    expect(Array.from(updateVector(global, results[0].parameters))).toEqual([4, 4, 1, 0, -1]);
    expect(Array.from(updateVector([...global].reverse(), [...results[0].parameters].reverse()))).toEqual([4, 4, 1, 0, -1]);
    expect(Array.from(updateVector(global, results[0].parameters, 'weights'))).toEqual([4, 5, 2, 2, 2]);
  });

  it('a secure sum of update vectors gives the same average as the plain list (FedBN: shared part only)', () => {
    const shared = new FedBN({ training: { localEpochs: 1, batchSize: 1, lr: 0.1 } }).isShared;
    expect(sharedLength(global, shared)).toBe(4);
    // What secure aggregation decodes: Σ n_k·x_k over the flat vectors, and Σ n_k.
    const vectors = results.map((r) => updateVector(global, r.parameters, 'deltas', shared));
    const summed = vectors[0].map((v, i) => 1 * v + 3 * vectors[1][i]);
    const sum = sumFromVector(global, summed, 4, ['A', 'B'], 'deltas', shared);
    const fromSum = fedAvg(global, { kind: 'sum', sum }, shared);
    const fromList = fedAvg(global, { kind: 'results', results }, shared);
    expect([...fromSum.keys()].sort()).toEqual(['b', 'w']);
    for (const name of ['w', 'b']) expect(Array.from(fromSum.get(name)!)).toEqual(Array.from(fromList.get(name)!));
    expect(values([{ name: 'w', shape: [3], data: Float32Array.from(fromSum.get('w')!) }], 'w')).toEqual([0.5, 2, 5]);
    expect(() => sumFromVector(global, summed.subarray(1), 4, ['A'], 'deltas', shared)).toThrow(/3 values, the shared model has 4/);
  });
});
