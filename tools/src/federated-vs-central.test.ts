import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { centralKey, centralSteps, parseFederatedArgs, stepsPerEpoch } from './federated-vs-central.js';

describe('federated vs centralised: budget and flags', () => {
  it('gives the centralised run every step the sites took together (by hand: 17, 16, 17 patients, 2 per step)', () => {
    expect([17, 16, 17].map((n) => stepsPerEpoch(n, 2))).toEqual([9, 8, 9]);
    expect(centralSteps([17, 16, 17], 2, 10, 1)).toBe(260);
    expect(centralSteps([17, 16, 17], 2, 5, 2)).toBe(260);
    expect(centralSteps([5], 4, 3, 1)).toBe(6);
  });

  it('parses the flags with defaults, and refuses bad ones naming them', () => {
    expect(parseFederatedArgs([])).toEqual({ quick: false, seed: 1, rounds: 10, localEpochs: 1, sampling: 'uniform', lungCrop: false, norm: 'batch', inputNorm: 'none', keepOptimizer: false, scannerJitter: false, data: 'data', results: 'results' });
    expect(parseFederatedArgs(['--keep-optimizer']).keepOptimizer).toBe(true);
    expect(parseFederatedArgs(['--scanner-jitter']).scannerJitter).toBe(true);
    expect(parseFederatedArgs(['--weight-decay', '0']).weightDecay).toBe(0);
    expect(() => parseFederatedArgs(['--weight-decay', 'x'])).toThrow('--weight-decay must be a number in [0, 1], got "x"');
    expect(parseFederatedArgs(['--norm', 'group']).norm).toBe('group');
    expect(parseFederatedArgs(['--input-norm', 'slice']).inputNorm).toBe('slice');
    expect(() => parseFederatedArgs(['--input-norm', 'scan'])).toThrow('--input-norm must be none or slice, got "scan"');
    expect(parseFederatedArgs(['--rounds', '160', '--freeze-bn-from', '80']).freezeBnFrom).toBe(80);
    expect(parseFederatedArgs(['--rounds', '160', '--curve', '10']).curve).toBe(10);
    expect(parseFederatedArgs(['--strategy', '{"name":"fedavgm","momentum":0.9}']).strategy).toEqual({ name: 'fedavgm', momentum: 0.9, server_lr: 1 });
    expect(parseFederatedArgs(['--strategy', '{"name":"fedprox","mu":0.01}']).strategy).toEqual({ name: 'fedprox', mu: 0.01 });
    expect(() => parseFederatedArgs(['--strategy', 'fedavgm'])).toThrow(`--strategy must be a run config strategy in JSON, e.g. '{"name":"fedavgm","momentum":0.9}', got "fedavgm"`);
    expect(() => parseFederatedArgs(['--strategy', '{"name":"fedavgm","momentum":1}'])).toThrow('--strategy: momentum: must be < 1');
    expect(() => parseFederatedArgs(['--strategy', '{"name":"fedbn"}'])).toThrow(/fedbn keeps batch norm at each site/);
    expect(parseFederatedArgs(['--strategy', '{"name":"silobn"}']).strategy).toEqual({ name: 'silobn', local_patterns: ['moving_(mean|variance)$', 'running_(mean|var)$', 'num_batches_tracked$'] });
    expect(() => parseFederatedArgs(['--rounds', '5', '--curve', '6'])).toThrow('--curve 6 is more than the rounds (5)');
    expect(() => parseFederatedArgs(['--freeze-bn-from', '0'])).toThrow('--freeze-bn-from must be a whole number ≥ 1, got "0"');
    expect(() => parseFederatedArgs(['--rounds', '5', '--freeze-bn-from', '6'])).toThrow('--freeze-bn-from 6 is after the last round (5)');
    expect(() => parseFederatedArgs(['--norm', 'layer'])).toThrow('--norm must be batch or group, got "layer"');
    expect(parseFederatedArgs(['--batch', '4', '--sampling', 'centre-balanced', '--lung-crop'])).toMatchObject({ batch: 4, sampling: 'centre-balanced', lungCrop: true });
    expect(parseFederatedArgs(['--lr', '0.0003']).lr).toBe(0.0003);
    expect(() => parseFederatedArgs(['--lr', '0'])).toThrow('--lr must be a number in (0, 1], got "0"');
    expect(() => parseFederatedArgs(['--sampling', 'balanced'])).toThrow('--sampling must be one of uniform, centre-balanced, got "balanced"');
    expect(parseFederatedArgs(['--quick'])).toMatchObject({ quick: true, rounds: 2 });
    expect(parseFederatedArgs(['--quick', '--rounds', '4', '--local-epochs', '2', '--seed', '3'])).toMatchObject({ rounds: 4, localEpochs: 2, seed: 3 });
    expect(() => parseFederatedArgs(['--rounds', '0'])).toThrow('--rounds must be a whole number ≥ 1, got "0"');
    expect(() => parseFederatedArgs(['--rounds'])).toThrow('--rounds needs a value');
    expect(() => parseFederatedArgs(['--steps', '5'])).toThrow(/unknown option --steps/);
  });

  it('names a centralised run by its config and its manifests\' paths and contents (a reused model is the same run)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unbox-central-key-'));
    try {
      const m = join(dir, 'A.json');
      writeFileSync(m, '{"entries":[]}');
      const key = centralKey({ steps: 10, seed: 1 }, [m]);
      expect(key).toMatch(/^[0-9a-f]{16}$/);
      expect(centralKey({ steps: 10, seed: 1 }, [m])).toBe(key);
      expect(centralKey({ steps: 10, seed: 2 }, [m])).not.toBe(key);
      writeFileSync(m, '{"entries":[{}]}');
      expect(centralKey({ steps: 10, seed: 1 }, [m])).not.toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
