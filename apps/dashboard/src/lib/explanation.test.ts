import { describe, expect, it } from 'vitest';
import { diceColour, sliceRows, topContributions } from './explanation.js';

describe('explanation shaping', () => {
  it('slice scores with their inclusive SIM sections', () => {
    const rows = sliceRows({ sections: [{ slices: [0, 1] }, { slices: [2, 3] }], slice_scores: [0.5, -1, 2, 0, 3] });
    expect(rows.map((r) => [r.slice, r.label, r.score, r.section])).toEqual([
      [0, '1', 0.5, 0],
      [1, '2', -1, 0],
      [2, '3', 2, 1],
      [3, '4', 0, 1],
      [4, '5', 3, -1],
    ]);
  });
  it('strongest superpixels by |value|, ties by index, non-finite dropped', () => {
    expect(topContributions([0.1, -0.5, 0.5, NaN, 0.3], 3)).toEqual([
      { superpixel: 1, value: -0.5 },
      { superpixel: 2, value: 0.5 },
      { superpixel: 4, value: 0.3 },
    ]);
    expect(topContributions([], 5)).toEqual([]);
  });
  it('Dice colours: ends of the scale, clamped, midpoint', () => {
    expect(diceColour(0)).toBe('rgb(68,1,84)');
    expect(diceColour(1)).toBe('rgb(253,231,37)');
    expect(diceColour(-3)).toBe(diceColour(0));
    expect(diceColour(7)).toBe(diceColour(1));
    expect(diceColour(0.5)).toBe('rgb(33,145,140)');
    expect(diceColour(NaN)).toBe(diceColour(0));
  });
});
