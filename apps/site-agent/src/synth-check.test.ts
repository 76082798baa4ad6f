/** Round trip: `data synth` writes a small consortium, `data check` loads every manifest entry of it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../bin/unbox-site.js');
let dir: string;

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-synth-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('data synth + data check', () => {
  it('every entry of every centre manifest checks good', async () => {
    const out = join(dir, 'consortium');
    const synth = await run('data', 'synth', '--out', out, '--centres', '2', '--seed', '3', '--size', '32',
      '--chest-patients', '3', '--chest-slices', '6', '--brain-ct-patients', '2', '--brain-mr-patients', '2', '--brain-coverage', '0.2', '--json');
    expect(synth.code, synth.stderr).toBe(0);
    const summary = JSON.parse(synth.stdout) as { centres: { centre: string; patients: number; manifest: string }[] };
    expect(summary.centres.map((c) => c.centre)).toEqual(['A', 'B']);
    const manifests = summary.centres.map((c) => c.manifest);
    const check = await run('data', 'check', ...manifests, '--json');
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const results = JSON.parse(check.stdout) as { manifest: { centre: string }; good: { scans: { rows: number }[] }[]; bad: unknown[] }[];
    for (const [k, r] of results.entries()) {
      const written = JSON.parse(await readFile(manifests[k], 'utf8')) as { entries: unknown[] };
      expect(r.bad).toEqual([]);
      expect(r.good.length).toBe(written.entries.length);
      expect(r.good.length).toBeGreaterThan(0);
      for (const g of r.good) expect(g.scans[0].rows).toBe(32);
    }
  });
});
