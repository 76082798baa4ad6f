import { describe, expect, it } from 'vitest';
import type { RoundSummary } from '@unbox/protocol';
import { resultsTable } from './results-table.js';

const m = (n: number, auc: number | null, acc = 0.5) => ({ n, acc, precision: 0.5, sensitivity: 1, specificity: 0, auc });

describe('per-centre results table', () => {
  it('one row per centre, sorted, with patient-level metrics; missing values as —', () => {
    const r: RoundSummary = {
      round: 2, cohort: ['B', 'A'], dropped: [{ site: 'C', stage: 'masked_input' }], wall_s: 41.26, status: 'done', model_hash: 'abcdef0123456789',
      metrics: {
        B: { train: { centre: 'B', patient: m(10, 0.75) }, test: { centre: 'B', patient: m(4, 0.5, 0.25) } },
        A: { train: { centre: 'A', patient: m(12, null) } },
      },
    };
    const lines = resultsTable(r, 5, 'classify').split('\n');
    expect(lines[0]).toBe('round 2/5: done in 41.3 s; cohort B, A; dropped C (masked_input); model abcdef012345');
    expect(lines[1].split(/\s+/).filter(Boolean)).toEqual(['centre', 'train', 'AUC', 'val', 'AUC', 'test', 'n', 'test', 'acc', 'test', 'sens', 'test', 'spec', 'test', 'AUC']);
    expect(lines[2].trim().split(/\s+/)).toEqual(['A', '—', '—', '—', '—', '—', '—', '—']);
    expect(lines[3].trim().split(/\s+/)).toEqual(['B', '0.750', '—', '4', '0.250', '1.000', '0.000', '0.500']);
  });

  it('segment rounds show the mean Dice over modalities and thicknesses', () => {
    const r: RoundSummary = {
      round: 1, cohort: ['A'], dropped: [], wall_s: 3, metrics: {
        A: { test: { centre: 'A', dice: { CT: { thick: { mean: 0.8, per_class: [] } }, MRI: { thin: { mean: 0.6, per_class: [] }, mixed: { mean: null, per_class: [] } } } } },
      },
    };
    expect(resultsTable(r, 1, 'segment').split('\n')[2].trim().split(/\s+/)).toEqual(['A', '—', '—', '0.700']);
  });
});
