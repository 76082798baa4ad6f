import { describe, expect, it } from 'vitest';
import { parseStartOptions, START_DEFAULTS } from './options.js';

describe('npm start options', () => {
  it('defaults, and -- flags as given', () => {
    expect(parseStartOptions([])).toEqual(START_DEFAULTS);
    expect(parseStartOptions(['--rounds', '2', '--exit', '--port', '0', '--size', '32'])).toMatchObject({ rounds: 2, exit: true, port: 0, size: 32 });
    expect(parseStartOptions(['--tasks', 'segment'])).toMatchObject({ tasks: ['segment'] });
    expect(parseStartOptions(['--dashboard-port', '0'])).toMatchObject({ dashboardPort: 0 });
    expect(parseStartOptions(['-h'])).toBe('help');
  });

  it('bad values name the flag and the reason', () => {
    expect(() => parseStartOptions(['--rounds', '0'])).toThrow("--rounds: expected a whole number from 1 to 1000, got '0'");
    expect(() => parseStartOptions(['--rounds', 'x'])).toThrow('--rounds');
    expect(() => parseStartOptions(['--size', '48'])).toThrow('--size: must be a multiple of 32');
    expect(() => parseStartOptions(['--centres', '2'])).toThrow('--centres');
    expect(() => parseStartOptions(['--tasks', 'classify,detect'])).toThrow("--tasks: expected classify, segment or both (comma-separated), got 'classify,detect'");
    expect(() => parseStartOptions(['--nope'])).toThrow(/nope/);
    expect(() => parseStartOptions(['--dashboard-port', '70000'])).toThrow("--dashboard-port: expected a whole number from 0 to 65535, got '70000'");
  });
});
