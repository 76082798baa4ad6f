/**
 * The operator's path through both CLIs, as processes: `unbox-coordinator site add` → `unbox-site
 * enroll` → `unbox-site join` → `unbox-coordinator site revoke` (the joined agent is cut off and
 * exits 2), and run start / models list / models export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCoordinator, waitFor, type CoordinatorProcess } from './testing/coordinator-process.js';

const SITE_BIN = fileURLToPath(new URL('../../bin/unbox-site.js', import.meta.url));
const COORD_BIN = fileURLToPath(new URL('../../../coordinator/bin/unbox-coordinator.js', import.meta.url));

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
}

function exec(bin: string, args: string[]): { done: Promise<Done>; kill(): void } {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))), kill: () => child.kill('SIGTERM') };
}

describe('unbox-coordinator and unbox-site CLIs', () => {
  let c: CoordinatorProcess;
  const tmp = mkdtempSync(join(tmpdir(), 'unbox-cli-'));
  const coord = (...args: string[]) => exec(COORD_BIN, ['--url', c.url, '--data', c.dataDir, ...args]).done;
  beforeAll(async () => {
    c = await startCoordinator(join(tmp, 'coordinator'));
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  }, 180_000);

  it('enrolls, joins, is revoked and cut off', async () => {
    const add = await coord('site', 'add', 'centre-1', '--name', 'Centre 1');
    expect(add.code).toBe(0);
    const token = (JSON.parse(add.stdout) as { token: string }).token;
    const siteDir = join(tmp, 'site-1');
    const enroll = await exec(SITE_BIN, ['enroll', '--coordinator', c.url, '--token', token, '--site-dir', siteDir]).done;
    expect(enroll.code).toBe(0);
    expect(JSON.parse(enroll.stdout)).toMatchObject({ site_id: 'centre-1' });
    expect(statSync(join(siteDir, 'identity.json')).mode & 0o777).toBe(0o600);
    const twice = await exec(SITE_BIN, ['enroll', '--coordinator', c.url, '--token', token, '--site-dir', siteDir]).done;
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/enrolled already/);
    const reused = await exec(SITE_BIN, ['enroll', '--coordinator', c.url, '--token', token, '--site-dir', join(tmp, 'other')]).done;
    expect(reused.code).toBe(2);
    expect(reused.stderr).toMatch(/enrollment refused \(401\): enrollment token is unknown or already used/);

    const csv = join(tmp, 'features.csv');
    writeFileSync(csv, 'split,label,a,b\ntrain,1,0.5,1\ntrain,0,-0.5,-1\ntest,1,1,1\n');
    // the site's own settings: a typo in site.json stops join with the file and field named
    writeFileSync(join(siteDir, 'site.json'), JSON.stringify({ share_features: { enable: true } }));
    const typo = await exec(SITE_BIN, ['join', '--site-dir', siteDir, '--features', csv]).done;
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`${join(siteDir, 'site.json')}: field 'share_features.enable': unknown field`);
    writeFileSync(join(siteDir, 'site.json'), JSON.stringify({ share_features: { enabled: true, noise_sigma: 0.2 } }));
    const joined = exec(SITE_BIN, ['join', '--site-dir', siteDir, '--features', csv]);
    await waitFor(async () => {
      const list = JSON.parse((await coord('site', 'list')).stdout) as { sites: { site_id: string; connected: boolean; status: string }[] };
      return list.sites.find((s) => s.site_id === 'centre-1' && s.connected && s.status === 'enrolled') ? true : undefined;
    }, 'site connected', 30_000, 200);
    expect((await coord('site', 'revoke', 'centre-1', '--reason', 'test')).code).toBe(0);
    const end = await joined.done;
    expect(end.code).toBe(2);
    expect(end.stderr).toMatch(/refused this site: site 'centre-1' is revoked/);
    expect(end.stderr).toMatch(/consortium t-SNE: this site shares pooled backbone features/);
  }, 180_000);

  it('starts a run from a config file, lists and exports model versions in tfjs format', async () => {
    const cfg = join(tmp, 'run.json');
    writeFileSync(cfg, JSON.stringify({ version: 1, task: 'classify', model: 'logreg:2', rounds: 1, strategy: { name: 'fedavg' }, train: { batch_size: 4, lr: 0.1 } }));
    const start = await coord('run', 'start', cfg);
    expect(start.code).toBe(0);
    const run = (JSON.parse(start.stdout) as { run_id: string }).run_id;
    const list = JSON.parse((await coord('models', 'list', '--run', run)).stdout) as { versions: { round: number; model_hash: string }[] };
    expect(list.versions.map((v) => v.round)).toEqual([0]);
    const out = join(tmp, 'export');
    expect((await coord('models', 'export', run, '0', '--out', out)).code).toBe(0);
    const mj = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelHash: string; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[] };
    expect(mj.modelHash).toBe(list.versions[0].model_hash);
    expect(mj.weightsManifest[0]).toEqual({ paths: ['weights.bin'], weights: [{ name: 'dense/bias', shape: [1], dtype: 'float32' }, { name: 'dense/kernel', shape: [2, 1], dtype: 'float32' }] });
    expect(statSync(join(out, 'weights.bin')).size).toBe(12);
    const stop = await coord('run', 'stop', run);
    expect(JSON.parse(stop.stdout)).toEqual({ run_id: run, status: 'stopped' });
    const missing = await coord('run', 'start', join(tmp, 'nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json/);
  }, 180_000);
});
