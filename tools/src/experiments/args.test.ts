import { describe, expect, it } from 'vitest';
import { parseExperimentArgs, withOverrides } from './args.js';

describe('experiment --train <json>', () => {
  it('merges fields into every run config, model fields one level deep', () => {
    const a = parseExperimentArgs(['--train', '{"sampling":"centre-balanced","model":{"dropout":0.5}}', '--seed', '2']);
    expect(a.seed).toBe(2);
    const cfg = withOverrides({ task: 'classify', steps: 5, model: { mode: 'sim', dropout: 0.7, phiFilters: 16 } }, a.train);
    expect(cfg).toEqual({ task: 'classify', steps: 5, sampling: 'centre-balanced', model: { mode: 'sim', dropout: 0.5, phiFilters: 16 } });
    expect(withOverrides({ model: { a: 1 } }, undefined)).toEqual({ model: { a: 1 } });
  });

  it('names a value that is not a JSON object, and fields that have their own flag', () => {
    expect(() => parseExperimentArgs(['--train', '{sampling'])).toThrow(/--train must be a JSON object/);
    expect(() => parseExperimentArgs(['--train', '[1]'])).toThrow(/--train must be a JSON object, got \[1\]/);
    expect(() => parseExperimentArgs(['--train', '{"steps":9}'])).toThrow(/--train cannot set "steps" \(use --seed \/ --steps\)/);
    expect(() => parseExperimentArgs(['--train'])).toThrow(/--train needs a value/);
  });
});
