import { describe, expect, it } from 'vitest';
import { image } from './image.js';
import { flipHorizontal, flipMaskHorizontal } from './flip.js';

describe('horizontal flip', () => {
  it('reverses columns and keeps channel order inside a pixel', () => {
    // 2 rows x 3 columns x 2 channels: pixel (r, c) = [10r + c, 100 + 10r + c].
    const img = image(2, 3, 2, [0, 100, 1, 101, 2, 102, 10, 110, 11, 111, 12, 112]);
    expect(Array.from(flipHorizontal(img).data)).toEqual([2, 102, 1, 101, 0, 100, 12, 112, 11, 111, 10, 110]);
    expect(flipHorizontal(flipHorizontal(img)).data).toEqual(img.data);
  });

  it('flips masks the same way', () => {
    const m = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), rows: 2, columns: 3 };
    expect(Array.from(flipMaskHorizontal(m).data)).toEqual([3, 2, 1, 6, 5, 4]);
  });
});
