import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Children } from './children.js';
import { dashboardBuilt, modelSaved, newPassword, setAccount, waitForModels } from './dashboard.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SITE_BIN = join(ROOT, 'apps/site-agent/bin/unbox-site.js');
const tmp = mkdtempSync(join(tmpdir(), 'unbox-start-dashboard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm start: dashboard', () => {
  it('rebuilds when the build is missing or older than a source (tests do not count)', () => {
    const root = join(tmp, 'repo');
    const app = join(root, 'apps/dashboard');
    for (const d of ['src/lib', '.next']) mkdirSync(join(app, d), { recursive: true });
    mkdirSync(join(root, 'libs/protocol/src'), { recursive: true });
    const at = (p: string, s: number) => {
      writeFileSync(p, 'x');
      utimesSync(p, s, s);
    };
    const paths = { root, coordinatorBin: '', siteBin: '' };
    at(join(app, 'src/lib/a.ts'), 1000);
    at(join(app, 'next.config.mjs'), 1000);
    at(join(app, 'package.json'), 1000);
    at(join(root, 'libs/protocol/src/x.ts'), 1000);
    for (const d of [join(app, 'src/lib'), join(app, 'src'), join(root, 'libs/protocol/src')]) utimesSync(d, 1000, 1000);
    expect(dashboardBuilt(paths)).toBe(false);
    at(join(app, '.next/BUILD_ID'), 2000);
    expect(dashboardBuilt(paths)).toBe(true);
    at(join(app, 'src/lib/a.test.ts'), 3000);
    utimesSync(join(app, 'src/lib'), 1000, 1000);
    expect(dashboardBuilt(paths)).toBe(true);
    at(join(root, 'libs/protocol/src/x.ts'), 3000);
    expect(dashboardBuilt(paths)).toBe(false);
  });

  it('a site model counts as saved once its checkpoint names the run', async () => {
    const site = join(tmp, 'site-models');
    expect(modelSaved(site, 'classify', 'run-1')).toBe(false);
    mkdirSync(join(site, 'models/classify/checkpoint'), { recursive: true });
    writeFileSync(join(site, 'models/classify/checkpoint/state.json'), JSON.stringify({ step: 1, federated: { run: 'run-0', round: 1 } }));
    expect(modelSaved(site, 'classify', 'run-1')).toBe(false);
    writeFileSync(join(site, 'models/classify/checkpoint/state.json'), JSON.stringify({ step: 2, federated: { run: 'run-1', round: 2 } }));
    expect(modelSaved(site, 'classify', 'run-1')).toBe(true);
    writeFileSync(join(site, 'models/classify/checkpoint/state.json'), '{not json');
    expect(modelSaved(site, 'classify', 'run-1')).toBe(false);
    expect(await waitForModels(site, [{ task: 'segment', run: 'run-2' }], 300)).toEqual(['segment']);
  });

  it('passwords: 16 base64url characters, never the same', () => {
    const a = newPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(newPassword()).not.toBe(a);
  });

  it('creates a site clinician, and on a second start gives it a new password; the password file is removed', async () => {
    const children = new Children(join(tmp, 'logs'));
    const siteDir = join(tmp, 'site');
    const secrets = join(tmp, 'secrets');
    const o = { name: 'clinician-a', bin: SITE_BIN, pre: [], addArgs: ['--site-dir', siteDir], secretsDir: secrets, username: 'clinician-a' };
    const first = await setAccount(children, o);
    const users1 = JSON.parse(readFileSync(join(siteDir, 'users.json'), 'utf8')) as unknown;
    expect(JSON.stringify(users1)).toContain('clinician-a');
    const second = await setAccount(children, o);
    expect(second).not.toBe(first);
    const users2 = readFileSync(join(siteDir, 'users.json'), 'utf8');
    expect(users2).not.toBe(JSON.stringify(users1));
    expect(users2.match(/clinician-a/g)).toHaveLength(1);
    expect(readdirSync(secrets)).toEqual([]);
  });
});
