/**
 * `npm start`: a whole local consortium on this machine. Generates the synthetic 4-centre data
 * when absent, starts the coordinator (SQLite under .unbox/), enrolls one site agent per centre
 * with one-time tokens from the coordinator's own API, starts them, and federates the classifier
 * and then the segmenter (the agents restarted with the segmenter's trainer) with secure
 * aggregation, printing a per-centre results table after every round. Unless --exit, the web
 * dashboard starts before the first round (its address and a consortium admin account printed, so
 * the rounds can be watched live) and, once federated, each site serves the consortium's models to
 * its clinicians (one account per site printed). Stays up afterwards (Ctrl-C ends everything);
 * `--exit` ends with status 0 once the run is done.
 * Every run writes runs/<run-id>/summary.json (the coordinator writes it after each round).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunSummary, type RunConfigInput } from '@unbox/protocol';
import { PHANTOM_REVISION } from '@unbox/data';
import type { AdminApi } from './consortium/admin-api.js';
import { Children, type Child } from './consortium/children.js';
import { startCoordinator } from './consortium/coordinator.js';
import { buildDashboard, dashboardBuilt, freePort, serveSite, setAccount, startDashboard, waitForModels, type DashboardPaths } from './consortium/dashboard.js';
import { parseStartOptions, START_USAGE, type StartOptions } from './consortium/options.js';
import { resultsTable } from './consortium/results-table.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const COORDINATOR_BIN = join(ROOT, 'apps/coordinator/bin/unbox-coordinator.js');
const SITE_BIN = join(ROOT, 'apps/site-agent/bin/unbox-site.js');

const say = (line: string) => process.stdout.write(`[unbox] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StartError extends Error {}

async function finished(children: Children, child: Child, what: string): Promise<void> {
  const code = await child.exited;
  if (code !== 0) throw new StartError(`${what} failed (exit ${code}); last lines of ${child.logPath}:\n${children.tail(child)}`);
}

/** The consortium's centres and manifests, generated first when the folder holds none. */
async function consortium(o: StartOptions, children: Children): Promise<{ centre: string; manifest: string }[]> {
  const data = resolve(ROOT, o.data);
  if (!existsSync(join(data, 'consortium.json'))) {
    say(`generating the synthetic consortium in ${data} (${o.centres} centres, ${o.patients} chest CT and ${2 * o.brainPatients} head CT/MR patients each, ${o.size} px)`);
    const t0 = performance.now();
    const synth = children.spawnNode('data-synth', SITE_BIN, [
      'data', 'synth', '--out', data, '--centres', String(o.centres), '--seed', '1', '--size', String(o.size),
      '--chest-patients', String(o.patients), '--chest-slices', '16',
      '--brain-ct-patients', String(o.brainPatients), '--brain-mr-patients', String(o.brainPatients), '--brain-coverage', '0.5',
    ]);
    await finished(children, synth, 'unbox-site data synth');
    say(`consortium written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const j = JSON.parse(readFileSync(join(data, 'consortium.json'), 'utf8')) as { phantom?: number; centres: { centre: string }[]; config?: { size?: number; chestPatients?: number; brainCtPatients?: number } };
  const made = j.config ?? {};
  if ((j.phantom ?? 1) !== PHANTOM_REVISION)
    say(`the consortium in ${data} was written by phantom revision ${j.phantom ?? 1} (this version writes ${PHANTOM_REVISION}: larger mild NCP lesions); remove the folder to regenerate it`);
  if (made.chestPatients !== o.patients || made.size !== o.size || j.centres.length !== o.centres || made.brainCtPatients !== o.brainPatients)
    say(`using the consortium in ${data} as generated (${j.centres.length} centres, ${made.chestPatients} chest and ${made.brainCtPatients} head CT patients each, ${made.size} px); remove the folder to regenerate it with the options given`);
  else say(`using the consortium in ${data}`);
  return j.centres.map((c) => ({ centre: c.centre, manifest: join(data, c.centre, 'manifest.json') }));
}

/** Enrolls (once; the identity is kept under the state folder) and starts one site agent per centre. */
async function startSites(o: StartOptions, children: Children, api: AdminApi, state: string, centres: { centre: string; manifest: string }[], model: string): Promise<Child[]> {
  const sites: Child[] = [];
  // the sites train at the same time: share the cores instead of each engine taking them all
  const threads = process.env.UNBOX_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / centres.length)));
  for (const { centre, manifest } of centres) {
    const siteDir = join(state, 'sites', centre);
    if (!existsSync(join(siteDir, 'identity.json'))) {
      const { token } = await api.call<{ token: string }>('POST', '/api/sites', { site_id: centre, name: `centre ${centre}` });
      await finished(children, children.spawnNode(`enroll-${centre}`, SITE_BIN, ['enroll', '--coordinator', api.url, '--token', token, '--site-dir', siteDir]), `enrolling site ${centre}`);
      say(`site ${centre} enrolled (one-time token from POST /api/sites)`);
    }
    // the local demo's sites opt in to the consortium t-SNE (a hospital decides this in its own site.json)
    if (!existsSync(join(siteDir, 'site.json'))) writeFileSync(join(siteDir, 'site.json'), `${JSON.stringify({ share_features: { enabled: true, max_samples: 64 } }, null, 2)}\n`);
    sites.push(children.spawnNode(`site-${centre}`, SITE_BIN, ['join', '--site-dir', siteDir, '--coordinator', api.url, '--manifest', manifest, '--model', model], undefined, { UNBOX_THREADS: threads }));
  }
  say(`${sites.length} site agents started for ${model} (logs in ${join(state, 'logs')})`);
  return sites;
}

const MODEL = { classify: 'classifier', segment: 'segmenter' } as const;
const PATHS: DashboardPaths = { root: ROOT, coordinatorBin: COORDINATOR_BIN, siteBin: SITE_BIN };

interface Dashboard {
  url: string;
  sites: { centre: string; url: string; port: number }[];
}

/** Builds (when needed) and starts the dashboard, with a consortium admin account; null (and a warning) when it cannot. */
async function openDashboard(o: StartOptions, children: Children, api: AdminApi, state: string, centres: { centre: string }[]): Promise<Dashboard | null> {
  try {
    if (!dashboardBuilt(PATHS)) {
      say('building the web dashboard (next build, once; 1-2 min on 2 cores)');
      await buildDashboard(children, PATHS);
    }
    const password = await setAccount(children, { name: 'admin', bin: COORDINATOR_BIN, pre: ['--data', join(state, 'coordinator')], addArgs: ['--role', 'admin'], secretsDir: join(state, 'secrets'), username: 'admin' });
    const sites = [];
    for (const { centre } of centres) {
      const port = await freePort();
      sites.push({ centre, port, url: `http://127.0.0.1:${port}` });
    }
    const url = await startDashboard(children, PATHS, { port: o.dashboardPort, coordinatorUrl: api.url, sites, secretFile: join(state, 'secrets', 'dashboard-secret') });
    say(`dashboard: ${url}  sign in to "Consortium" as admin / ${password}  (password shown only now; a new one at every npm start). Site views open once federation is done.`);
    return { url, sites };
  } catch (e) {
    say(`warning: the web dashboard is not available: ${(e as Error).message}`);
    return null;
  }
}

/** Each site serves the consortium's models to its own clinicians; one clinician account per site. */
async function openSiteViews(children: Children, state: string, centres: { centre: string; manifest: string }[], dash: Dashboard, runs: { task: string; run: string }[]): Promise<void> {
  const threads = process.env.UNBOX_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / centres.length)));
  const lines: string[] = [];
  for (const { centre, manifest } of centres) {
    const siteDir = join(state, 'sites', centre);
    const site = dash.sites.find((s) => s.centre === centre)!;
    try {
      const missing = await waitForModels(siteDir, runs);
      if (missing.length) say(`warning: site ${centre} has not saved the consortium's ${missing.join(' and ')} model; serving what it has`);
      const served = await serveSite(children, PATHS, { centre, siteDir, manifest, port: site.port, threads });
      if (!served) {
        say(`warning: site ${centre} saved no consortium model in ${join(siteDir, 'models')}: no site view for it`);
        continue;
      }
      const username = `clinician-${centre.toLowerCase()}`;
      const password = await setAccount(children, { name: username, bin: SITE_BIN, pre: [], addArgs: ['--site-dir', siteDir], secretsDir: join(state, 'secrets'), username });
      lines.push(`  site ${centre}: ${username} / ${password}  (API ${served.url}, models ${served.models.map((m) => m.split('/').pop()).join(' + ')})`);
    } catch (e) {
      say(`warning: site ${centre}'s view is not available: ${(e as Error).message}`);
    }
  }
  if (lines.length) say(`site views on ${dash.url}: sign in to a site as its clinician (passwords shown only now):\n${lines.join('\n')}`);
}

function runConfig(o: StartOptions, task: 'classify' | 'segment'): RunConfigInput {
  return {
    version: 1,
    name: `npm start: ${MODEL[task]}`,
    task,
    model: `${MODEL[task]}:${o.size}`,
    rounds: o.rounds,
    seed: 1,
    strategy: { name: 'fedavg' },
    // a round goes on without one site that drops out
    cohort: { min_sites: o.centres, threshold: o.centres - 1, fit_timeout_s: 1800, evaluate_timeout_s: 900 },
    // classifier: patients per step; segmenter: slices per step (paper 3.4: 8)
    train: { local_epochs: o.localEpochs, batch_size: task === 'classify' ? 2 : 8, lr: 0.001 },
    secure_aggregation: true,
  };
}

interface RunView {
  status: string;
  completed_rounds: number;
  failure: string | null;
}

/** Follows the run, printing each finished round's table; resolves with the final status. */
async function follow(o: StartOptions, api: AdminApi, run: string, coordinator: Child, sites: Child[], children: Children): Promise<string> {
  const summaryPath = join(resolve(ROOT, o.runs), run, 'summary.json');
  let printed = 0;
  const gone = new Set<string>();
  let pollError = '';
  for (;;) {
    if (coordinator.proc.exitCode !== null) throw new StartError(`the coordinator stopped (exit ${coordinator.proc.exitCode}):\n${children.tail(coordinator)}`);
    for (const s of sites)
      if (s.proc.exitCode !== null && !gone.has(s.name)) {
        gone.add(s.name);
        say(`warning: ${s.name} stopped (exit ${s.proc.exitCode}); rounds go on with the others while enough remain. Last lines:\n${children.tail(s, 8)}`);
      }
    // a failed poll is retried next second, but said (once per distinct error) so a stuck loop is visible
    const view = await api.call<RunView>('GET', `/api/runs/${run}`).then(
      (v) => {
        pollError = '';
        return v;
      },
      (e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        if (msg !== pollError) say(`warning: reading run ${run} failed (retrying): ${msg}`);
        pollError = msg;
        return null;
      },
    );
    if (view && existsSync(summaryPath)) {
      const summary = RunSummary.parse(JSON.parse(readFileSync(summaryPath, 'utf8')));
      for (const r of summary.rounds.filter((x) => x.round > printed && x.status !== 'failed')) {
        say(resultsTable(r, o.rounds, summary.task));
        printed = r.round;
      }
    }
    if (view && ['done', 'failed', 'stopped'].includes(view.status) && printed >= view.completed_rounds) {
      if (view.status !== 'done') say(`run ${run} ${view.status}${view.failure ? `: ${view.failure}` : ''}`);
      return view.status;
    }
    await sleep(1000);
  }
}

async function main(): Promise<number> {
  let o: StartOptions | 'help';
  try {
    o = parseStartOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${START_USAGE}\n`);
    return 2;
  }
  if (o === 'help') {
    process.stdout.write(`${START_USAGE}\n`);
    return 0;
  }
  const opts = o;
  const t0 = performance.now();
  const state = resolve(ROOT, opts.state);
  const children = new Children(join(state, 'logs'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping the coordinator and the site agents`);
    void children.stopAll().then(() => process.exit(130));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    const centres = await consortium(opts, children);
    const { api } = await startCoordinator(children, { bin: COORDINATOR_BIN, dataDir: join(state, 'coordinator'), port: opts.port, runsDir: resolve(ROOT, opts.runs) }, (m) => new StartError(m));
    const coordinator = children.running().find((c) => c.name === 'coordinator')!;
    say(`coordinator: REST API ${api.url}/api, OpenAPI docs ${api.url}/api/docs (SQLite in ${join(state, 'coordinator')})`);
    const dash = opts.exit ? null : await openDashboard(opts, children, api, state, centres);
    let sites: Child[] = [];
    const statuses: string[] = [];
    const runs: { task: string; run: string }[] = [];
    for (const task of opts.tasks) {
      const model = `${MODEL[task]}:${opts.size}`;
      await Promise.all(sites.map(async (c) => {
        c.proc.kill('SIGTERM');
        await c.exited;
      }));
      sites = await startSites(opts, children, api, state, centres, model);
      const { run_id: run } = await api.call<{ run_id: string }>('POST', '/api/runs', runConfig(opts, task));
      runs.push({ task, run });
      say(`run ${run} started: ${model}, FedAvg with secure aggregation, ${opts.rounds} round(s), ${centres.length} centres; summary in ${join(resolve(ROOT, opts.runs), run, 'summary.json')}`);
      const status = await follow(opts, api, run, coordinator, sites, children);
      say(`run ${run} ${status} after ${((performance.now() - t0) / 1000).toFixed(1)} s in all`);
      statuses.push(status);
      if (status !== 'done') break;
    }
    const ok = statuses.length === opts.tasks.length && statuses.every((x) => x === 'done');
    if (opts.exit || !ok) {
      await children.stopAll();
      return ok ? 0 : 1;
    }
    if (dash) await openSiteViews(children, state, centres, dash, runs);
    say(`staying up: coordinator at ${api.url}, ${sites.length} sites connected${dash ? `, dashboard at ${dash.url}` : ''}. Ctrl-C stops everything.`);
    await new Promise(() => undefined);
    return 0;
  } catch (e) {
    process.stderr.write(`[unbox] ${e instanceof StartError ? e.message : (e as Error).stack}\n`);
    await children.stopAll();
    return 1;
  }
}

process.exit(await main());
