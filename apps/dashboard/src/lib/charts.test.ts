import { describe, expect, it } from 'vitest';
import { centresOf, colourOf, hasBinaryMetrics, roundTable, curvesOf, diceGroups, diceSeries, duration, metricSeries, PALETTE, pct, tsneGroups, type RoundLike } from './charts.js';

const bin = (auc: number, acc: number) => ({ n: 10, acc, precision: 0.5, sensitivity: 0.6, specificity: 0.7, auc, roc: [[0, 0], [0.5, 0.8], [1, 1]] as [number, number][], pr: [[0, 1], [1, 0.5]] as [number, number][] });

const rounds: RoundLike[] = [
  { round: 2, metrics: { B: { test: { centre: 'B', patient: bin(0.8, 0.7) } }, A: { val: { centre: 'A', patient: bin(0.6, 0.5) }, train: { centre: 'A', patient: bin(0.99, 0.99) } } } },
  { round: 1, metrics: { A: { test: { centre: 'A', patient: bin(0.55, 0.5) } } } },
];

describe('metrics over rounds', () => {
  it('one row per round (sorted), one key per centre; test split first, then val; null where absent', () => {
    const s = metricSeries(rounds, 'auc');
    expect(s.centres).toEqual(['A', 'B']);
    expect(s.rows).toEqual([
      { round: 1, A: 0.55, B: null },
      { round: 2, A: 0.6, B: 0.8 },
    ]);
    expect(metricSeries(rounds, 'acc').rows[1]).toEqual({ round: 2, A: 0.5, B: 0.7 });
    // one split asked for: only that one
    expect(metricSeries(rounds, 'auc', 'train').rows).toEqual([
      { round: 1, A: null, B: null },
      { round: 2, A: 0.99, B: null },
    ]);
    expect(centresOf([])).toEqual([]);
  });
  it('image-level metrics when there is no patient level', () => {
    const r: RoundLike[] = [{ round: 1, metrics: { C: { test: { image: { auc: 0.9, acc: null } } } } }];
    expect(metricSeries(r, 'auc').rows).toEqual([{ round: 1, C: 0.9 }]);
    expect(metricSeries(r, 'acc').rows).toEqual([{ round: 1, C: null }]);
  });
  it('Dice per modality and thickness', () => {
    const r: RoundLike[] = [
      { round: 1, metrics: { A: { test: { dice: { CT: { thick: { mean: 0.4, per_class: [0.3, 0.5] }, thin: { mean: 0.2 } } } } }, B: { test: { dice: { MRI: { mixed: { mean: 0.7 } } } } } } },
    ];
    expect(diceGroups(r).map((g) => g.key)).toEqual(['CT thick', 'CT thin', 'MRI mixed']);
    expect(hasBinaryMetrics(r)).toBe(false);
    expect(hasBinaryMetrics(rounds)).toBe(true);
    expect(diceSeries(r, 'CT', 'thick').rows).toEqual([{ round: 1, A: 0.4, B: null }]);
    expect(diceSeries(r, 'MRI', 'mixed').rows).toEqual([{ round: 1, A: null, B: 0.7 }]);
    expect(diceSeries(r, 'CT', 'thick', 'val').rows).toEqual([{ round: 1, A: null, B: null }]);
  });
});

describe('one round per centre', () => {
  it('figures of the chosen split; absent split gives nulls', () => {
    expect(roundTable(rounds[0], 'test')).toEqual([
      { centre: 'A', n: null, auc: null, acc: null, sensitivity: null, specificity: null, dice: {} },
      { centre: 'B', n: 10, auc: 0.8, acc: 0.7, sensitivity: 0.6, specificity: 0.7, dice: {} },
    ]);
    expect(roundTable(rounds[0], 'val')[0]).toMatchObject({ centre: 'A', auc: 0.6, acc: 0.5 });
    expect(roundTable({ round: 1, metrics: { A: { train: { dice: { CT: { thick: { mean: 0.4 }, thin: { mean: null } } } } } } }, 'train')).toEqual([
      { centre: 'A', n: null, auc: null, acc: null, sensitivity: null, specificity: null, dice: { 'CT thick': 0.4, 'CT thin': null } },
    ]);
    expect(roundTable(undefined, 'test')).toEqual([]);
  });
});

describe('curves', () => {
  it('ROC and PR points per centre, ROC labelled with the AUC', () => {
    const roc = curvesOf(rounds[0], 'roc');
    expect(roc.map((c) => [c.centre, c.area])).toEqual([
      ['A', 0.6],
      ['B', 0.8],
    ]);
    expect(roc[0].points).toEqual([{ x: 0, y: 0 }, { x: 0.5, y: 0.8 }, { x: 1, y: 1 }]);
    expect(curvesOf(rounds[0], 'roc', 'train').map((c) => c.centre)).toEqual(['A']);
    expect(curvesOf(rounds[0], 'pr')[1]).toEqual({ centre: 'B', area: null, points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] });
    expect(curvesOf(undefined, 'roc')).toEqual([]);
    expect(curvesOf({ round: 1, metrics: { A: { test: { patient: { auc: 0.5 } } } } }, 'roc')).toEqual([]);
  });
});

describe('t-SNE groups', () => {
  it('colour by centre, shape by label; unlabelled kept', () => {
    const g = tsneGroups([
      { x: 1, y: 2, centre: 'B', label: 1 },
      { x: 3, y: 4, centre: 'A', label: 0 },
      { x: 5, y: 6, centre: 'A', label: 1 },
      { x: 7, y: 8, centre: 'A', label: 0 },
      { x: 9, y: 9, centre: 'B', label: null },
    ]);
    expect(g.map((x) => [x.centre, x.label, x.colour, x.shape, x.points.length])).toEqual([
      ['A', '0', PALETTE[0], 'circle', 2],
      ['A', '1', PALETTE[0], 'triangle', 1],
      ['B', '1', PALETTE[1], 'triangle', 1],
      ['B', 'unlabelled', PALETTE[1], 'square', 1],
    ]);
  });
  it('palette cycles; unknown centre gets the next colour', () => {
    const cs = Array.from({ length: 10 }, (_, i) => `c${i}`);
    expect(colourOf(cs, 'c8')).toBe(PALETTE[0]);
    expect(colourOf(['a'], 'zz')).toBe(PALETTE[1]);
  });
});

describe('formatting', () => {
  it('durations and percentages', () => {
    expect(duration(950)).toBe('950 ms');
    expect(duration(2400)).toBe('2.4 s');
    expect(duration(65_000)).toBe('1 min 5 s');
    expect(duration(null)).toBe('–');
    expect(duration(-1)).toBe('–');
    expect(pct(0.8768)).toBe('87.7 %');
    expect(pct(null)).toBe('–');
  });
});
