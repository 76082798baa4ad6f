import { describe, expect, it } from 'vitest';
import { scoreRanking } from './score-ranking.js';

const sig = (z: number) => 1 / (1 + Math.exp(-z));
const patient = (id: string, label: 0 | 1, logits: number[], sliceLabels: (0 | 1)[], probability = sig(Math.max(...logits))) =>
  ({ id, label, probability, sliceProbabilities: logits.map(sig), sliceLabels });

describe('scoreRanking', () => {
  it('separates within-patient slice ranking from across-patient ranking (hand-computed)', () => {
    // P1 (NCP): lesion slice above its other slices, but every score low (a per-patient offset of −5)
    // P2 (NCP): lesion slice 0 ties one other slice and loses to the second: within AUC (0.5 + 0) / 2 = 0.25
    // N1, N2 (non-NCP): no lesion slices, higher scores than P1
    const r = scoreRanking([
      patient('P1', 1, [-6, -4, -6], [0, 1, 0]),
      patient('P2', 1, [1, 1, 2], [1, 0, 0]),
      patient('N1', 0, [0, 0, 0], [0, 0, 0]),
      patient('N2', 0, [-1, -2, -3], [0, 0, 0]),
    ]);
    expect(r.within_patient_slice_auc).toBeCloseTo((1 + 0.25) / 2, 12);
    expect(r.within_patients).toBe(2);
    // max slice logits P1 −4, P2 2, N1 0, N2 −1: positives beat negatives in 2 of 4 pairs
    expect(r.max_slice_logit_auc).toBeCloseTo(0.5, 12);
    // mean slice logits P1 −16/3, P2 4/3, N1 0, N2 −2: same pairs
    expect(r.mean_slice_logit_auc).toBeCloseTo(0.5, 12);
    expect(r.patient_auc).toBeCloseTo(0.5, 12);
    expect(r.mean_slice_logit).toBeCloseTo((-16 + 4 + 0 - 6) / 12, 12);
  });

  it('throws on no patients', () => {
    expect(() => scoreRanking([])).toThrow('no patients');
  });
});
