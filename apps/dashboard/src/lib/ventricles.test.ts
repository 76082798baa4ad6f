import { describe, expect, it } from 'vitest';
import { hiddenIn, hideClasses, NO_CHOICE, patientView, setShown } from './ventricles.js';

describe('ventricles hidden per patient view', () => {
  const a = patientView('segment', 'A-H001');
  const b = patientView('segment', 'A-H002');
  it('a choice is kept for its patient view, through any number of re-renders', () => {
    const c = setShown(NO_CHOICE, a, 1, false);
    expect([...hiddenIn(c, a)]).toEqual([1]);
    // same stored set on every read: the overlay is redrawn only when the choice changes
    expect(hiddenIn(c, a)).toBe(hiddenIn(c, a));
    const c2 = setShown(c, a, 3, false);
    expect([...hiddenIn(c2, a)].sort()).toEqual([1, 3]);
    expect([...hiddenIn(setShown(c2, a, 1, true), a)]).toEqual([3]);
    // the earlier choice is untouched (state updates build new sets)
    expect([...hiddenIn(c, a)]).toEqual([1]);
  });
  it('another patient (or task, or none) starts with every ventricle shown', () => {
    const c = setShown(NO_CHOICE, a, 1, false);
    expect(hiddenIn(c, b).size).toBe(0);
    expect(hiddenIn(c, patientView('classify', 'A-H001')).size).toBe(0);
    expect(hiddenIn(c, null).size).toBe(0);
    expect(hiddenIn(NO_CHOICE, a).size).toBe(0);
    // a choice in the new patient drops the old patient's
    const d = setShown(c, b, 2, false);
    expect([...hiddenIn(d, b)]).toEqual([2]);
    expect(hiddenIn(d, a).size).toBe(0);
  });
});

describe('segmentation overlay per ventricle', () => {
  it('hides only the pixels of hidden classes, leaves background and others', () => {
    const px = new Uint8Array([255, 0, 0, 160, 0, 255, 0, 160, 0, 0, 0, 0, 255, 0, 0, 160]);
    hideClasses(px, [[255, 0, 0, 160]]);
    expect([...px]).toEqual([255, 0, 0, 0, 0, 255, 0, 160, 0, 0, 0, 0, 255, 0, 0, 0]);
    const same = new Uint8Array([1, 2, 3, 4]);
    hideClasses(same, []);
    expect([...same]).toEqual([1, 2, 3, 4]);
  });
  it("matches the legend colours as a canvas gives them back (8-bit premultiplied alpha)", () => {
    const legend: [number, number, number, number][] = [
      [230, 25, 75, 160],
      [60, 180, 75, 160],
      [255, 225, 25, 160],
      [0, 130, 200, 160],
    ];
    // store premultiplied, read back un-premultiplied, as getImageData does
    const viaCanvas = ([r, g, b, a]: number[]) => [r, g, b].map((c) => Math.min(255, Math.round((Math.round((c * a) / 255) * 255) / a))).concat(a);
    const read = legend.map(viaCanvas);
    // as chromium read them back in the site view: 230,26,75 / 61,180,75 / 255,225,26 / 0,131,199
    expect(read.some((c, i) => c.some((v, k) => v !== legend[i][k]))).toBe(true);
    const px = new Uint8Array(read.flat());
    hideClasses(px, [legend[0], legend[2]]);
    expect([px[3], px[7], px[11], px[15]]).toEqual([0, 160, 0, 160]);
    // a colour 3 levels off at alpha 160 is another colour, not a rounding error
    const off = new Uint8Array([233, 25, 75, 160]);
    hideClasses(off, [legend[0]]);
    expect(off[3]).toBe(160);
  });
});
