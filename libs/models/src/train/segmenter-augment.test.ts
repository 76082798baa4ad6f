import { describe, expect, it } from 'vitest';
import { augmentSegBatch, augmentSegImage, drawSegAugment, flipLabelMap, PAPER_SEG_AUGMENT, swapMirrorLabels } from './segmenter-augment.js';
import type { SegImage } from './datasets.js';
import { viewRng } from './train-classifier.js';

// 3×3 slice, 2 channels; the label map has the left lateral ventricle (1) in the right column
const slice = (): SegImage => ({
  id: 's', modality: 'CT', thickness: 'thick', size: 3, channels: 2,
  data: Float32Array.from({ length: 18 }, (_, i) => i),
  mask: Uint8Array.from([0, 2, 1, 0, 0, 1, 3, 4, 1]),
});

describe('segmenter augmentation (paper 4.2.2), per batch', () => {
  it('a horizontal flip moves the pixels and exchanges left and right lateral labels (regression: labels were mirrored without the swap)', () => {
    const m = flipLabelMap([0, 2, 1, 0, 0, 1, 3, 4, 1], 3, PAPER_SEG_AUGMENT.mirrorPairs);
    expect([...m]).toEqual([2, 1, 0, 2, 0, 0, 2, 4, 3]);
    // the in-place swap used after the preprocessing's own pixel flip
    const k = Uint8Array.from([0, 1, 2, 3, 4, 2]);
    swapMirrorLabels(k, [[1, 2]]);
    expect([...k]).toEqual([0, 2, 1, 3, 4, 1]);
  });

  it('flip and brightness act on every channel, and the cached slice is not changed', () => {
    const im = slice();
    const a = augmentSegImage(im, { flip: true, brightness: 0.5 }, PAPER_SEG_AUGMENT);
    // pixel (y 0, x 0) after the flip is the old (0, 2): channels 4, 5, halved
    expect([...a.data.slice(0, 6)]).toEqual([2, 2.5, 1, 1.5, 0, 0.5]);
    expect([...a.mask!]).toEqual([2, 1, 0, 2, 0, 0, 2, 4, 3]);
    expect(im.data[0]).toBe(0);
    expect([...im.mask!]).toEqual([0, 2, 1, 0, 0, 1, 3, 4, 1]);
    const b = augmentSegImage(im, { flip: false, brightness: 1.2 }, PAPER_SEG_AUGMENT);
    expect(b.data[5]).toBeCloseTo(6, 6);
    expect(b.mask).toBe(im.mask);
  });

  it('draws: flip probability and brightness range', () => {
    const r = viewRng(1, 0);
    const ds = Array.from({ length: 4000 }, () => drawSegAugment(r, PAPER_SEG_AUGMENT));
    const flips = ds.filter((d) => d.flip).length / ds.length;
    expect(flips).toBeGreaterThan(0.46);
    expect(flips).toBeLessThan(0.54);
    expect(Math.min(...ds.map((d) => d.brightness))).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...ds.map((d) => d.brightness))).toBeLessThan(1.2);
    expect(drawSegAugment(() => 0.9, { ...PAPER_SEG_AUGMENT, flipProbability: 0 }).flip).toBe(false);
  });

  it('a batch differs from step to step and is the same for the same seed and step', () => {
    const batch = Array.from({ length: 8 }, slice);
    const s3 = augmentSegBatch(batch, 7, 3, PAPER_SEG_AUGMENT);
    const again = augmentSegBatch(batch, 7, 3, PAPER_SEG_AUGMENT);
    const s4 = augmentSegBatch(batch, 7, 4, PAPER_SEG_AUGMENT);
    const other = augmentSegBatch(batch, 8, 3, PAPER_SEG_AUGMENT);
    const key = (b: typeof s3) => b.map((im) => `${im.data[0]}|${im.data[17]}`).join(',');
    expect(key(again)).toBe(key(s3));
    expect(key(s4)).not.toBe(key(s3));
    expect(key(other)).not.toBe(key(s3));
    // within one batch the draws differ per slice
    expect(new Set(s3.map((im) => im.data[17])).size).toBeGreaterThan(1);
  });

  it('rejects label maps of the wrong size', () => {
    expect(() => flipLabelMap([0, 1], 3, [[1, 2]])).toThrow(/2 values, expected 3×3/);
  });
});
