/**
 * A real, tiny local consortium for the end-to-end test: synthetic data (3 centres, 32 px chest
 * CT), `unbox-coordinator serve`, sites enrolled with one-time tokens and joined with the tfjs
 * classifier (sharing features for the consortium t-SNE), dashboard accounts made with the CLIs,
 * `unbox-site serve` of each site's consortium model, and the built dashboard (`next start`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor, type Proc, type Procs } from './processes.js';

export const APP = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = resolve(APP, '../..');
const COORDINATOR = join(ROOT, 'apps/coordinator/bin/unbox-coordinator.js');
const SITE = join(ROOT, 'apps/site-agent/bin/unbox-site.js');
const NEXT = join(ROOT, 'node_modules/next/dist/bin/next');
/** tsx reads the tsconfig of the working directory: the CLIs run from the repository root */
const AT_ROOT = { cwd: ROOT };

/** Newest modification time under `p`, tests left out (they are not part of the build). */
function newest(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).filter((f) => !f.endsWith('.test.ts') && f !== 'e2e').map((f) => newest(join(p, f))));
}

/** `next build` unless .next holds a build newer than every source (CI: a fresh clone builds). */
export async function buildDashboard(procs: Procs): Promise<void> {
  const id = join(APP, '.next/BUILD_ID');
  const sources = Math.max(newest(join(APP, 'src')), newest(join(APP, 'next.config.mjs')), newest(join(APP, 'package.json')), newest(join(ROOT, 'libs/protocol/src')));
  if (existsSync(id) && statSync(id).mtimeMs > sources) return;
  await procs.run('next-build', NEXT, ['build'], { cwd: APP, env: { NEXT_TELEMETRY_DISABLED: '1' } });
}

export interface Admin {
  url: string;
  token: string;
}

export async function adminCall<T>(a: Admin, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(a.url + path, {
    method,
    headers: { authorization: `Bearer ${a.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export function password(): string {
  return randomBytes(12).toString('base64url');
}

function secretFile(dir: string, name: string, value: string): string {
  const f = join(dir, name);
  writeFileSync(f, `${value}\n`, { mode: 0o600 });
  return f;
}

export async function synth(procs: Procs, out: string, centres: number): Promise<{ centre: string; manifest: string }[]> {
  await procs.run('data-synth', SITE, ['data', 'synth', '--out', out, '--centres', String(centres), '--seed', '1', '--size', '32', '--chest-patients', '10', '--chest-slices', '8', '--brain-ct-patients', '2', '--brain-mr-patients', '2', '--brain-coverage', '0.5'], AT_ROOT);
  const j = JSON.parse(readFileSync(join(out, 'consortium.json'), 'utf8')) as { centres: { centre: string }[] };
  return j.centres.map((c) => ({ centre: c.centre, manifest: join(out, c.centre, 'manifest.json') }));
}

export async function startCoordinator(procs: Procs, dataDir: string, runsDir: string): Promise<Admin> {
  const p = procs.node('coordinator', COORDINATOR, ['--data', dataDir, 'serve', '--host', '127.0.0.1', '--port', '0', '--runs-dir', runsDir, '--stage-timeout', '180', '--wait-poll', '0.2', '--retry-delay', '0.5'], AT_ROOT);
  const url = await p.line((l) => {
    try {
      return (JSON.parse(l) as { listening?: string }).listening;
    } catch {
      return undefined;
    }
  }, 90_000);
  return { url, token: readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() };
}

/** Enrolls the site (one-time token from POST /api/sites), opts it in to the t-SNE, joins with the classifier. */
export async function joinSite(procs: Procs, admin: Admin, centre: string, manifest: string, siteDir: string): Promise<Proc> {
  const { token } = await adminCall<{ token: string }>(admin, 'POST', '/api/sites', { site_id: centre, name: `centre ${centre}` });
  await procs.run(`enroll-${centre}`, SITE, ['enroll', '--coordinator', admin.url, '--token', token, '--site-dir', siteDir], AT_ROOT);
  writeFileSync(join(siteDir, 'site.json'), JSON.stringify({ share_features: { enabled: true, max_samples: 16 } }));
  return rejoin(procs, admin, centre, manifest, siteDir, 'classifier:32');
}

/** `unbox-site join` of an enrolled site with the trainer of `model` (classifier:32, segmenter:32). */
export function rejoin(procs: Procs, admin: Admin, centre: string, manifest: string, siteDir: string, model: string): Proc {
  return procs.node(`join-${centre}-${model.replace(':', '')}`, SITE, ['join', '--site-dir', siteDir, '--coordinator', admin.url, '--manifest', manifest, '--model', model], { ...AT_ROOT, env: { UNBOX_THREADS: '1' } });
}

/** A consortium admin account on the coordinator; returns the password. */
export async function addAdmin(procs: Procs, dataDir: string, dir: string, username: string): Promise<string> {
  const pw = password();
  await procs.run(`user-${username}`, COORDINATOR, ['--data', dataDir, 'user', 'add', username, '--role', 'admin', '--password-file', secretFile(dir, `${username}.pw`, pw)], AT_ROOT);
  return pw;
}

/** A clinician account on a site agent; returns the password. */
export async function addClinician(procs: Procs, siteDir: string, dir: string, username: string): Promise<string> {
  const pw = password();
  await procs.run(`user-${username}`, SITE, ['user', 'add', username, '--site-dir', siteDir, '--password-file', secretFile(dir, `${username}.pw`, pw)], AT_ROOT);
  return pw;
}

/** `unbox-site serve` of the consortium's models (saved by join: classifier and segmenter) on a port; its URL. */
export async function serveSite(procs: Procs, centre: string, siteDir: string, manifest: string, port = 0): Promise<string> {
  const models = ['classify', 'segment'].map((t) => join(siteDir, 'models', t));
  for (const m of models) await waitFor(() => (existsSync(join(m, 'evaluation.json')) ? true : undefined), `the consortium model in ${m}`, 60_000);
  const p = procs.node(`serve-${centre}`, SITE, ['serve', '--model', ...models, '--manifest', manifest, '--site-dir', siteDir, '--port', String(port)], { ...AT_ROOT, env: { UNBOX_THREADS: '1' } });
  return p.line((l) => (/^https?:\/\/\S+$/.test(l.trim()) ? l.trim() : undefined), 120_000);
}

export async function startDashboard(procs: Procs, coordinatorUrl: string, sites: { centre: string; url: string }[], secretDir: string): Promise<string> {
  const port = await freePort();
  const env = {
    NEXT_TELEMETRY_DISABLED: '1',
    UNBOX_COORDINATOR_URL: coordinatorUrl,
    UNBOX_SITES: sites.map((s) => `${s.centre}=${s.url}`).join(','),
    UNBOX_DASHBOARD_SECRET_FILE: secretFile(secretDir, 'dashboard-secret', randomBytes(32).toString('hex')),
  };
  const p = procs.node('dashboard', NEXT, ['start', '--port', String(port), '--hostname', '127.0.0.1'], { cwd: APP, env });
  await p.line((l) => (/Ready in/.test(l) ? true : undefined), 60_000);
  return `http://127.0.0.1:${port}`;
}
