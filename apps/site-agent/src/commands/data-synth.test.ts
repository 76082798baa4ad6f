import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isUserError } from '../errors.js';
import { createDataSynthCommand, dataSynthCommand } from './data-synth.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-synth-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function quiet() {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return out;
}

describe('unbox-site data synth', () => {
  it('is a command named synth', () => {
    expect(dataSynthCommand.name()).toBe('synth');
  });

  it('writes a consortium with the flags given and prints a JSON summary', async () => {
    const out = quiet();
    const target = join(dir, 'c');
    await createDataSynthCommand().exitOverride().parseAsync(
      ['--out', target, '--centres', '3', '--seed', '5', '--size', '24', '--chest-patients', '3', '--chest-slices', '6', '--brain-ct-patients', '1', '--brain-mr-patients', '1', '--brain-coverage', '0.3', '--split', '1,0,0', '--png', '--json'],
      { from: 'user' },
    );
    vi.restoreAllMocks();
    const summary = JSON.parse(out.join(''));
    expect(summary.centres.map((c: { centre: string }) => c.centre)).toEqual(['A', 'B', 'C']);
    expect(summary.centres.every((c: { patients: number }) => c.patients === 5)).toBe(true);
    expect(summary.domain_shift['chest-ct'].ratio).toBeGreaterThan(1);
    expect((await readdir(target)).sort()).toEqual(['A', 'B', 'C', 'consortium.json', 'domain-shift.json']);
    const m = JSON.parse(await readFile(join(target, 'B', 'manifest.json'), 'utf8'));
    expect(m.entries.every((e: { split: string; dims: number[] }) => e.split === 'train' && e.dims[0] === 24)).toBe(true);
    const classes = await readdir(join(target, 'A', 'cc-ccii'));
    expect(classes.every((c) => ['NCP', 'CP', 'Normal'].includes(c))).toBe(true);
    const cfg = JSON.parse(await readFile(join(target, 'consortium.json'), 'utf8'));
    expect(cfg.seed).toBe(5);
    expect(cfg.config.chestSlices).toBe(6);
  });

  it('rejects bad flag values with a message naming the rule', async () => {
    quiet();
    const run = (args: string[]) => createDataSynthCommand().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(args, { from: 'user' });
    await expect(run(['--out', join(dir, 'x'), '--centres', '0'])).rejects.toThrow(/centres.*whole number from 1/);
    await expect(run(['--out', join(dir, 'x'), '--split', '0.7,0.3'])).rejects.toThrow(/three non-negative numbers/);
    await expect(run(['--centres', '2'])).rejects.toBeInstanceOf(CommanderError); // --out missing
    vi.restoreAllMocks();
  });

  it('refuses a non-empty folder and a file in the way as user errors naming the path', async () => {
    quiet();
    const run = (out: string) => createDataSynthCommand().exitOverride().parseAsync(['--out', out, '--size', '24', '--chest-patients', '1', '--brain-ct-patients', '0', '--brain-mr-patients', '0', '--centres', '1'], { from: 'user' });
    const busy = await run(join(dir, 'c')).catch((e: unknown) => e);
    expect(isUserError(busy)).toBe(true);
    expect((busy as Error).message).toMatch(/c: folder is not empty.*--force/);
    const blocked = await run(join(dir, 'c', 'consortium.json', 'x')).catch((e: unknown) => e);
    expect(isUserError(blocked)).toBe(true);
    expect((blocked as Error).message).toMatch(/cannot write the consortium: .*consortium\.json/);
    vi.restoreAllMocks();
  });

  it('end to end: the unbox-site executable writes a 4-centre consortium that data check loads without a bad entry', () => {
    const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/unbox-site.js');
    const out = join(dir, 'e2e');
    const synth = spawnSync(process.execPath, [bin, 'data', 'synth', '--out', out, '--centres', '4', '--seed', '3', '--size', '24', '--chest-patients', '2', '--chest-slices', '6', '--brain-ct-patients', '2', '--brain-mr-patients', '2', '--brain-coverage', '0.3'], { encoding: 'utf8', timeout: 60_000 });
    expect(synth.status, synth.stderr).toBe(0);
    expect(synth.stdout).toMatch(/4 centres/);
    const manifests = ['A', 'B', 'C', 'D'].map((c) => join(out, c, 'manifest.json'));
    const check = spawnSync(process.execPath, [bin, 'data', 'check', '--json', ...manifests], { encoding: 'utf8', timeout: 60_000 });
    expect(check.status, check.stderr).toBe(0);
    const res = JSON.parse(check.stdout) as { good: unknown[]; bad: unknown[] }[];
    expect(res).toHaveLength(4);
    for (const r of res) {
      expect(r.bad).toEqual([]);
      expect(r.good).toHaveLength(6);
    }
  });
});
