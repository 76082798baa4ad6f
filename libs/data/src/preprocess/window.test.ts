import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { LUNG_WINDOW, windowCt } from './window.js';

describe('CT windowing', () => {
  it('maps the lung window -1350..150 HU linearly to [0, 1] and clamps outside', () => {
    const out = windowCt(image(1, 6, 1, [-2000, -1350, -600, 0, 150, 1000]));
    const expected = [0, 0, 0.5, 1350 / 1500, 1, 1];
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(LUNG_WINDOW).toEqual({ level: -600, width: 1500 });
  });

  it('honours a custom window and rejects a zero width', () => {
    const out = windowCt(image(1, 3, 1, [0, 40, 80]), { level: 40, width: 80 });
    expect(Array.from(out.data)).toEqual([0, 0.5, 1]);
    expect(() => windowCt(image(1, 1), { level: 0, width: 0 })).toThrow(/width/);
  });
});
