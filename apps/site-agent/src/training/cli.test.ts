/** The train and eval commands as an operator runs them: exit codes, progress on stderr, files in --out. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYNTH_OPTIONS, writeConsortium } from '@unbox/data';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../../bin/unbox-site.js');
let dir: string;
let manifest: string;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, UNBOX_BACKEND: 'wasm' } }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-train-cli-'));
  const r = await writeConsortium(join(dir, 'synth'), { ...DEFAULT_SYNTH_OPTIONS, seed: 4, centres: 1, size: 32, chestPatients: 6, chestSlices: 6, brainCtPatients: 0, brainMrPatients: 0, split: [0.5, 0, 0.5] });
  manifest = r.centres[0].manifest;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('unbox-site train / eval', () => {
  it('trains with JSON progress lines (loss, img/s), then eval writes the evaluation JSON', async () => {
    const cfg = join(dir, 'c.json');
    await writeFile(cfg, JSON.stringify({ steps: 2, checkpointEvery: 1, maxSlicesPerPatient: 4, model: { backbone: { depth: 18, width: 0.0625, inputSize: 32 }, phiFilters: 4, sectionLength: 4, k: 2 } }));
    const out = join(dir, 'run');
    const t = await run('--log-format', 'json', 'train', '--task', 'classify', '--manifest', manifest, '--config', cfg, '--out', out);
    expect(t.code, t.stderr).toBe(0);
    const logs = t.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const steps = logs.filter((l) => l.msg === 'step');
    expect(steps.map((s) => s.step)).toEqual([1, 2]);
    expect(steps.every((s) => typeof s.loss === 'number' && (s.img_per_s as number) > 0)).toBe(true);
    expect(t.stdout.trim()).toBe(join(out, 'evaluation.json'));
    const e = await run('eval', '--model', out, '--manifest', manifest, '--out', join(dir, 'e.json'), '--split', 'test');
    expect(e.code, e.stderr).toBe(0);
    const ev = JSON.parse(await readFile(join(dir, 'e.json'), 'utf8'));
    expect(ev).toMatchObject({ task: 'classify', backend: 'wasm', step: 2, splits: { test: { centre: 'A' } } });
  });

  it('a bad config or task is a usage error (exit 2) naming the field', async () => {
    const cfg = join(dir, 'bad.json');
    await writeFile(cfg, JSON.stringify({ steps: -1 }));
    const r = await run('train', '--task', 'classify', '--manifest', manifest, '--config', cfg, '--out', join(dir, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: invalid classify config: steps: /);
    const t = await run('train', '--task', 'detect', '--manifest', manifest, '--out', join(dir, 'x'));
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--task.*detect.*classify, segment/s);
  });
});
