/** End to end: spawn the real `unbox-site` executable (bin shim -> tsx -> main.ts) on files in a temp dir. */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyNifti } from './testing/tiny-nifti.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../bin/unbox-site.js');
let dir: string;

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Same as run, without blocking, so independent invocations can overlap. */
function runAsync(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000 }, (err, _stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-cli-'));
  // 2 slices x 3 rows x 4 columns, value = index - 10: min -10, max 13, mean 1.5.
  await writeFile(join(dir, 'a.nii'), tinyNifti(4, 3, 2, (i) => i - 10));
  await writeFile(join(dir, 'b.nii'), tinyNifti(5, 3, 2, () => 1));
    await writeFile(join(dir, 'good.json'), JSON.stringify({ version: 1, centre: 'D', entries: [
      { patient: 'P1', task: 'segment', modality: 'MR', slice_thickness: 3, split: 'train', paths: ['a.nii'], dims: [3, 4] },
    ] }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('unbox-site data inspect', () => {
  it('describes a NIfTI file as JSON and dumps float32 LE in slice, row, column order', async () => {
    const raw = join(dir, 'a.f32');
    const r = run('data', 'inspect', join(dir, 'a.nii'), '--json', '--raw', raw);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ format: 'nifti', slices: 2, rows: 3, columns: 4, channels: 1, spacing: [0.5, 0.75, 3], sliceThickness: 3, modality: null });
    expect(j.values).toMatchObject({ count: 24, min: -10, max: 13, mean: 1.5 });
    const bytes = await readFile(raw);
    expect(bytes.length).toBe(24 * 4);
    const values = Array.from({ length: 24 }, (_, k) => bytes.readFloatLE(4 * k));
    expect(values).toEqual(Array.from({ length: 24 }, (_, k) => k - 10));
  });

  it('prints a readable summary, and a clear error without a stack for an unreadable file', async () => {
    const ok = run('data', 'inspect', join(dir, 'a.nii'));
    expect(ok.stdout).toContain('2 slices x 3 rows x 4 columns x 1 channel');
    expect(ok.stdout).toMatch(/min -10, max 13, mean 1\.5/);
    await writeFile(join(dir, 'junk.nii'), 'not an image at all');
    const bad = run('data', 'inspect', join(dir, 'junk.nii'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('junk.nii');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const noFolder = run('data', 'inspect', join(dir, 'a.nii'), '--raw', join(dir, 'no/such/folder/a.f32'));
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr.trim()).toBe(`error: cannot write --raw ${join(dir, 'no/such/folder/a.f32')}: its folder does not exist`);
  });
});

describe('unbox-site data check', () => {
  it('lists every bad entry with its reason, and exits 1', async () => {
    const csv = ['# centre: C', 'patient,task,label,modality,slice_thickness,split,paths,dims',
      'P1,classify,NCP,CT,3,train,a.nii,3x4',
      'P2,classify,COVID,CT,3,train,a.nii,3x4',
      'P3,classify,CP,CT,3,test,missing.nii,',
      'P4,classify,Normal,CT,3,val,b.nii,3x4',
      'P5,classify,Normal,CT,thick,val,a.nii,'].join('\n');
    await writeFile(join(dir, 'site.csv'), csv);
    const r = run('data', 'check', join(dir, 'site.csv'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(csv, centre C): 5 entries, 1 good, 4 bad');
    expect(r.stdout).toContain('row 2 (line 4), patient P2: unknown-label: unknown label "COVID"');
    expect(r.stdout).toContain(`row 3 (line 5), patient P3: missing-file: ${join(dir, 'missing.nii')}: no such file or folder`);
    expect(r.stdout).toContain('row 4 (line 6), patient P4: wrong-dimensions');
    expect(r.stdout).toContain('row 5 (line 7), patient P5: bad-field: "slice_thickness" is "thick", expected a number');
  });

  it('exits 0 on a good manifest and logs JSON lines on stderr with --log-format json', async () => {
    const r = run('--log-format', 'json', 'data', 'check', join(dir, 'good.json'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ manifest: { centre: 'D' }, good: [{ patient: 'P1', scans: [{ rows: 3, columns: 4 }] }], bad: [] });
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'manifest checked', good: 1, bad: 0 });
  });

  it('checks several manifests; an unusable one is reported and the others still checked (exit 2)', () => {
    const r = run('data', 'check', join(dir, 'absent.json'), join(dir, 'good.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${join(dir, 'absent.json')}: manifest file not found`);
    expect(r.stdout).toContain('(json, centre D): 1 entries, 1 good, 0 bad');
  });

  it('explains configuration mistakes in one line and exits 2', async () => {
    const [missing, badOption, badCommand] = await Promise.all([
      runAsync('data', 'check', join(dir, 'nowhere.json')),
      runAsync('data', 'check', 'x.json', '--concurrency', 'many'),
      runAsync('data', 'frobnicate'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`error: ${join(dir, 'nowhere.json')}: manifest file not found`);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("option '--concurrency <n>' argument 'many' is invalid");
    expect(badCommand.code).toBe(2);
    expect(badCommand.stderr).toContain("unknown command 'frobnicate'");
    const jsonUsage = run('--log-format', 'json', 'data', 'inspect');
    expect(jsonUsage.code).toBe(2);
    expect(JSON.parse(jsonUsage.stderr.trim().split('\n')[0])).toMatchObject({ level: 'error', msg: "missing required argument 'file-or-folder'" });
  });
});
