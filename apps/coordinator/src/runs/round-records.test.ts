import { describe, expect, it } from 'vitest';
import { evaluationsByRound } from './round-records.js';

const splits = (auc: number) => ({ test: { centre: 'A', patient: { n: 10, acc: 0.8, precision: 0.8, sensitivity: 0.7, specificity: 0.9, auc, roc: [[0, 0], [1, 1]], pr: [[0, 1], [1, 0.5]] } } });

describe('evaluationsByRound', () => {
  it('groups evaluation splits by round and centre, names the backends, ignores fit metrics and evaluations without splits', () => {
    const { splits: byRound, backends } = evaluationsByRound([
      { round: 1, site: 'A', kind: 'evaluate', value: { evaluation: { backend: 'wasm', splits: splits(0.75) } } },
      { round: 1, site: 'B', kind: 'evaluate', value: { evaluation: { backend: 'webgpu', splits: splits(0.5) } } },
      { round: 1, site: 'A', kind: 'fit', value: { train_loss: 0.5 } },
      { round: 2, site: 'A', kind: 'evaluate', value: { loss: 0.3 } },
      { round: 3, site: 'B', kind: 'evaluate', value: { evaluation: { backend: 'wasm', splits: splits(0.9) } } },
    ]);
    expect([...byRound.keys()]).toEqual([1, 3]);
    expect(Object.keys(byRound.get(1) ?? {})).toEqual(['A', 'B']);
    expect(byRound.get(1)?.B.test?.patient?.auc).toBe(0.5);
    expect(byRound.get(3)?.B.test?.patient?.auc).toBe(0.9);
    expect([...backends].sort()).toEqual(['wasm', 'webgpu']);
  });
});
