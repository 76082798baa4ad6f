/**
 * The rounds of a run for the consortium view (GET /api/runs/:id/rounds, schema RoundList of
 * @unbox/protocol): per round its last attempt with cohort, dropouts and the secure-aggregation
 * stage each left at, timing, every centre's evaluation splits (ROC/PR points included) and
 * whether a consortium t-SNE is stored.
 */
import { RoundList, type DropStage, type EvaluationSplits } from '@unbox/protocol';
import type { RoundRow, Store } from '../db/store.js';

/** Every centre's evaluation splits grouped by round (one pass), and the backends the evaluations name. */
export function evaluationsByRound(metrics: readonly { round: number; site: string; kind: 'fit' | 'evaluate'; value: unknown }[]): {
  splits: Map<number, Record<string, EvaluationSplits>>;
  backends: Set<string>;
} {
  const splits = new Map<number, Record<string, EvaluationSplits>>();
  const backends = new Set<string>();
  for (const m of metrics) {
    if (m.kind !== 'evaluate') continue;
    const e = (m.value as { evaluation?: { splits?: EvaluationSplits; backend?: string } }).evaluation;
    if (e?.backend) backends.add(e.backend);
    if (!e?.splits) continue;
    const perCentre = splits.get(m.round) ?? {};
    perCentre[m.site] = e.splits;
    splits.set(m.round, perCentre);
  }
  return { splits, backends };
}

export async function buildRoundList(store: Store, runId: string): Promise<RoundList> {
  const attempts = await store.rounds(runId);
  const last = new Map<number, { row: RoundRow; count: number }>();
  for (const a of attempts) {
    const seen = last.get(a.round);
    if (!seen || a.attempt > seen.row.attempt) last.set(a.round, { row: a, count: (seen?.count ?? 0) + 1 });
    else seen.count++;
  }
  const { splits: metrics } = evaluationsByRound(await store.metrics(runId));
  const tsne = new Set(await store.tsneRounds(runId));
  const details = await store.roundDetails(runId);
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
      cohort: details.cohort(round, a.attempt, 'fit'),
      dropouts: details.dropouts(round, a.attempt).map((d) => ({ site: d.site, stage: d.stage as DropStage, reason: d.reason })),
      metrics: metrics.get(round) ?? {},
      model_hash: a.model_hash_out,
      failure: a.failure,
      tsne: tsne.has(round),
    });
  }
  return RoundList.parse({ run_id: runId, rounds });
}
