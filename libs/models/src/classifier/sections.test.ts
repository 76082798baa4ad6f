import { describe, expect, it } from 'vitest';
import { sectionK, sections } from './sections.js';

describe('sections (Eq. 4)', () => {
  it('makes max(1, ⌊n/l_s⌋) sections of l_s slices, the remainder joining the last', () => {
    expect(sections(32, 16)).toEqual([{ start: 0, end: 16 }, { start: 16, end: 32 }]);
    expect(sections(47, 16)).toEqual([{ start: 0, end: 16 }, { start: 16, end: 47 }]);
    expect(sections(10, 16)).toEqual([{ start: 0, end: 10 }]);
    expect(sections(1, 16)).toEqual([{ start: 0, end: 1 }]);
    expect(sections(50, 16).map((s) => s.end - s.start)).toEqual([16, 16, 18]);
  });
  it('caps k by the section size', () => {
    expect(sectionK({ start: 0, end: 3 }, 8)).toBe(3);
    expect(sectionK({ start: 16, end: 47 }, 8)).toBe(8);
  });
  it('rejects empty patients and bad l_s', () => {
    expect(() => sections(0, 16)).toThrow(/at least one slice/);
    expect(() => sections(5, 0)).toThrow(/l_s=0/);
  });
});
