/**
 * The dashboard side of `npm start`: dashboard accounts (a consortium admin on the coordinator, one
 * clinician per site on its agent) with generated passwords shown once, each site's explanation
 * API (`unbox-site serve` of the consortium's models), and the Next.js dashboard itself (built
 * first when its build is missing or older than its sources).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Child, Children } from './children.js';

export interface DashboardPaths {
  root: string;
  coordinatorBin: string;
  siteBin: string;
}

const dashboardDir = (p: DashboardPaths) => join(p.root, 'apps/dashboard');
const nextBin = (p: DashboardPaths) => join(p.root, 'node_modules/next/dist/bin/next');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).filter((f) => !f.endsWith('.test.ts') && f !== 'e2e').map((f) => newest(join(path, f))));
}

/** Whether apps/dashboard/.next holds a production build newer than every source it is built from. */
export function dashboardBuilt(p: DashboardPaths): boolean {
  const dir = dashboardDir(p);
  const id = join(dir, '.next/BUILD_ID');
  if (!existsSync(id)) return false;
  const sources = Math.max(newest(join(dir, 'src')), newest(join(dir, 'next.config.mjs')), newest(join(dir, 'package.json')), newest(join(p.root, 'libs/protocol/src')));
  return statSync(id).mtimeMs > sources;
}

async function exitCode(c: Child): Promise<number | null> {
  return c.exited;
}

export async function buildDashboard(children: Children, p: DashboardPaths): Promise<void> {
  const c = children.spawnNode('dashboard-build', nextBin(p), ['build', dashboardDir(p)], undefined, { NEXT_TELEMETRY_DISABLED: '1' });
  const code = await exitCode(c);
  if (code !== 0) throw new Error(`next build failed (exit ${code}); see ${c.logPath}:\n${children.tail(c)}`);
}

/** A readable random password (16 characters of base64url, 96 bits). */
export function newPassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Creates the account, or gives it a new password when it exists already (an earlier `npm start`
 * on the same state folder): `<bin> [...pre] user add <name> [...addArgs]`, else `user password`.
 * The password travels in a 0600 file that is removed straight after.
 */
export async function setAccount(children: Children, o: { name: string; bin: string; pre: string[]; addArgs: string[]; secretsDir: string; username: string }): Promise<string> {
  const password = newPassword();
  mkdirSync(o.secretsDir, { recursive: true, mode: 0o700 });
  const file = join(o.secretsDir, `${o.name}.pw`);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  try {
    const add = children.spawnNode(`user-${o.name}`, o.bin, [...o.pre, 'user', 'add', o.username, ...o.addArgs, '--password-file', file]);
    if ((await add.exited) === 0) return password;
    const log = children.tail(add, 5);
    if (!/already exists/.test(log)) throw new Error(`creating dashboard user ${o.username} failed; see ${add.logPath}:\n${log}`);
    const pw = children.spawnNode(`user-${o.name}-password`, o.bin, [...o.pre, 'user', 'password', o.username, ...o.addArgs.filter((a, i, all) => a !== '--role' && all[i - 1] !== '--role'), '--password-file', file]);
    if ((await pw.exited) !== 0) throw new Error(`setting the password of dashboard user ${o.username} failed; see ${pw.logPath}:\n${children.tail(pw, 5)}`);
    return password;
  } finally {
    rmSync(file, { force: true });
  }
}

/** A TCP port free on loopback now (the site APIs are started later, the dashboard must know them first). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `next start` on the port; resolves with its address once it says it is ready. */
export async function startDashboard(children: Children, p: DashboardPaths, o: { port: number; coordinatorUrl: string; sites: { centre: string; url: string }[]; secretFile: string }): Promise<string> {
  if (!existsSync(o.secretFile)) writeFileSync(o.secretFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  const port = o.port || (await freePort());
  let ready = false;
  const c = children.spawnNode('dashboard', nextBin(p), ['start', dashboardDir(p), '--port', String(port), '--hostname', '127.0.0.1'], (line) => {
    if (/Ready in/.test(line)) ready = true;
  }, {
    NEXT_TELEMETRY_DISABLED: '1',
    UNBOX_COORDINATOR_URL: o.coordinatorUrl,
    UNBOX_SITES: o.sites.map((s) => `${s.centre}=${s.url}`).join(','),
    UNBOX_DASHBOARD_SECRET_FILE: o.secretFile,
  });
  const end = Date.now() + 60_000;
  while (!ready) {
    if (c.proc.exitCode !== null) throw new Error(`the dashboard did not start (exit ${c.proc.exitCode}):\n${children.tail(c)}`);
    if (Date.now() > end) throw new Error(`the dashboard did not start in 60 s; see ${c.logPath}`);
    await sleep(100);
  }
  return `http://127.0.0.1:${port}`;
}

/** Whether the site saved the global model of `run` in <site-dir>/models/<task>/ (checkpoint state names its run). */
export function modelSaved(siteDir: string, task: string, run: string): boolean {
  try {
    const state = JSON.parse(readFileSync(join(siteDir, 'models', task, 'checkpoint', 'state.json'), 'utf8')) as { federated?: { run?: string } };
    return state.federated?.run === run;
  } catch {
    return false;
  }
}

/** Waits (up to `timeoutMs`) until the site saved the models of every run: a site saves after the coordinator ends the round. */
export async function waitForModels(siteDir: string, runs: { task: string; run: string }[], timeoutMs = 60_000): Promise<string[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const missing = runs.filter((r) => !modelSaved(siteDir, r.task, r.run)).map((r) => r.task);
    if (!missing.length || Date.now() > end) return missing;
    await sleep(250);
  }
}

/** `unbox-site serve` of every consortium model the site saved (<site-dir>/models/<task>/), on a given port. */
export async function serveSite(children: Children, p: DashboardPaths, o: { centre: string; siteDir: string; manifest: string; port: number; threads: string }): Promise<{ url: string; models: string[] } | null> {
  const models = ['classify', 'segment'].map((t) => join(o.siteDir, 'models', t)).filter((d) => existsSync(d));
  if (!models.length) return null;
  let url = '';
  const c = children.spawnNode(`serve-${o.centre}`, p.siteBin, ['serve', '--model', ...models, '--manifest', o.manifest, '--site-dir', o.siteDir, '--port', String(o.port)], (line) => {
    if (/^https?:\/\/\S+$/.test(line.trim())) url = line.trim();
  }, { UNBOX_THREADS: o.threads });
  const end = Date.now() + 120_000;
  while (!url) {
    if (c.proc.exitCode !== null) throw new Error(`unbox-site serve of site ${o.centre} stopped (exit ${c.proc.exitCode}):\n${children.tail(c)}`);
    if (Date.now() > end) throw new Error(`unbox-site serve of site ${o.centre} did not start in 120 s; see ${c.logPath}`);
    await sleep(100);
  }
  return { url, models };
}
