/**
 * `runs/<run-id>/summary.json` (notes/result-formats.md, "Federated runs"; schema RunSummary of
 * @unbox/protocol), rewritten after every round from what the database holds: per round the last
 * attempt's cohort, dropouts with stage, per-centre evaluation splits, wall time and model hash.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RunConfig, RunSummary } from '@unbox/protocol';
import type { Store } from '../db/store.js';
import { evaluationsByRound } from './round-records.js';

export async function buildRunSummary(store: Store, runId: string): Promise<RunSummary> {
  const run = await store.run(runId);
  if (!run) throw new Error(`no run '${runId}'`);
  const config = RunConfig.parse(JSON.parse(run.config));
  const attempts = await store.rounds(runId);
  const last = new Map<number, (typeof attempts)[number]>();
  for (const a of attempts) if (a.status === 'done' || a.status === 'failed') last.set(a.round, a);
  // only the rounds summarised name backends
  const { splits, backends } = evaluationsByRound((await store.metrics(runId)).filter((m) => last.has(m.round)));
  const details = await store.roundDetails(runId);
  const rounds = [];
  for (const [round, a] of [...last.entries()].sort((x, y) => x[0] - y[0])) {
    rounds.push({
      round,
      cohort: details.cohort(round, a.attempt, 'fit'),
      dropped: details.dropouts(round, a.attempt).map((d) => ({ site: d.site, stage: d.stage as RunSummary['rounds'][number]['dropped'][number]['stage'], reason: d.reason })),
      wall_s: Math.max(0, ((a.ended_at ?? a.started_at) - a.started_at) / 1000),
      metrics: splits.get(round) ?? {},
      status: a.status as 'done' | 'failed',
      ...(a.model_hash_out ? { model_hash: a.model_hash_out } : {}),
    });
  }
  return RunSummary.parse({
    run: runId,
    task: config.task,
    strategy: config.strategy.name,
    secure_aggregation: config.secure_aggregation,
    // the sites train; their evaluations name the backend (several: joined)
    backend: backends.size > 0 ? [...backends].sort().join('+').slice(0, 64) : 'unknown',
    rounds,
    seed: config.seed,
    ...(config.name ? { config: config.name } : {}),
    versions: { node: process.versions.node },
    created: new Date(run.created_at).toISOString(),
  });
}

export async function writeRunSummary(store: Store, runId: string, runsDir: string): Promise<string> {
  const summary = await buildRunSummary(store, runId);
  const dir = join(runsDir, runId);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'summary.json');
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(summary, null, 2) + '\n');
  await rename(tmp, path);
  return path;
}
