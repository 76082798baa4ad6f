/**
 * The rounds of a run for the consortium view (GET /api/runs/:id/rounds, schema RoundList of
 * @unbox/protocol): per round its last attempt with cohort, dropouts and the secure-aggregation
 * stage each left at, timing, every centre's evaluation splits (ROC/PR points included) and
 * whether a consortium t-SNE is stored.
 */
import { RoundList, type DropStage, type EvaluationSplits } from '@unbox/protocol';
import type { RoundRow, Store } from '../db/store.js';

export async function buildRoundList(store: Store, runId: string): Promise<RoundList> {
  const attempts = await store.rounds(runId);
  const last = new Map<number, { row: RoundRow; count: number }>();
  for (const a of attempts) {
    const seen = last.get(a.round);
    if (!seen || a.attempt > seen.row.attempt) last.set(a.round, { row: a, count: (seen?.count ?? 0) + 1 });
    else seen.count++;
  }
  // every centre's evaluation splits, grouped by round in one pass
  const metrics = new Map<number, Record<string, EvaluationSplits>>();
  for (const m of await store.metrics(runId)) {
    const splits = m.kind === 'evaluate' ? (m.value as { evaluation?: { splits?: EvaluationSplits } }).evaluation?.splits : undefined;
    if (!splits) continue;
    const perCentre = metrics.get(m.round) ?? {};
    perCentre[m.site] = splits;
    metrics.set(m.round, perCentre);
  }
  const tsne = new Set(await store.tsneRounds(runId));
  const rounds = [];
  for (const [round, { row: a, count }] of [...last.entries()].sort((x, y) => x[0] - y[0])) {
    rounds.push({
      round,
      attempt: a.attempt,
      attempts: count,
      status: a.status,
      phase: a.phase,
      started_at: a.started_at,
      ended_at: a.ended_at,
      wall_ms: a.ended_at === null ? null : Math.max(0, a.ended_at - a.started_at),
      cohort: await store.cohort(runId, round, a.attempt, 'fit'),
      dropouts: (await store.dropouts(runId, round, a.attempt)).map((d) => ({ site: d.site, stage: d.stage as DropStage, reason: d.reason })),
      metrics: metrics.get(round) ?? {},
      model_hash: a.model_hash_out,
      failure: a.failure,
      tsne: tsne.has(round),
    });
  }
  return RoundList.parse({ run_id: runId, rounds });
}
