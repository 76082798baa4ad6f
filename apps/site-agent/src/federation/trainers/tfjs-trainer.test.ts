import { describe, expect, it } from 'vitest';
import { scoredSplits } from './tfjs-trainer.js';

describe('scoredSplits (classifier and segmenter evaluation alike)', () => {
  const holding = (...splits: string[]) => (s: string) => splits.includes(s);
  it('scores the asked splits that hold data', () => {
    expect(scoredSplits(['val', 'test'], holding('train', 'val', 'test'))).toEqual(['val', 'test']);
    expect(scoredSplits(['val', 'test'], holding('train', 'test'))).toEqual(['test']);
  });
  it('falls back to the training split when no asked split holds data, or none was asked', () => {
    expect(scoredSplits(['val', 'test'], holding('train'))).toEqual(['train']);
    expect(scoredSplits([], holding('train', 'val'))).toEqual(['train']);
  });
  it('throws naming the splits when not even the training split holds data', () => {
    expect(() => scoredSplits(['val'], holding())).toThrow('no data to evaluate in the val, train split(s)');
  });
});
