import { describe, expect, it } from 'vitest';
import { fillHoles, labelComponents } from './components.js';

const grid = (s: string): { data: Uint8Array; rows: number; columns: number } => {
  const lines = s.trim().split('\n').map((l) => l.trim());
  return { data: Uint8Array.from(lines.join('').split('').map((ch) => (ch === '#' ? 1 : 0))), rows: lines.length, columns: lines[0].length };
};

describe('connected components', () => {
  it('separates diagonal neighbours with 4-connectivity and joins them with 8', () => {
    const g = grid(`
      #....
      .#...
      ...##
      ...#.`);
    const c4 = labelComponents(g.data, g.rows, g.columns, 4);
    expect(c4.count).toBe(3);
    expect(c4.sizes.slice(1)).toEqual([1, 1, 3]);
    expect(c4.touchesBorder.slice(1)).toEqual([true, false, true]);
    expect(labelComponents(g.data, g.rows, g.columns, 8).count).toBe(2);
  });

  it('fills enclosed holes but not background that reaches the border', () => {
    const g = grid(`
      #####..
      #...#..
      #.#.#..
      #####..
      ##.####
      #.....#`);
    const filled = fillHoles(g.data, g.rows, g.columns);
    const expected = grid(`
      #####..
      #####..
      #####..
      #####..
      ##.####
      #.....#`);
    expect(Array.from(filled)).toEqual(Array.from(expected.data));
  });
});
