/** Runs and round attempts as the dashboard sees them (GET /api/runs rows, GET /api/runs/:id rounds). */
import type { DashboardRound, DashboardRun } from '@unbox/protocol';
import type { RoundDetails, RoundRow, RunRow, Store } from '../db/store.js';

export function runView(r: RunRow): DashboardRun {
  return {
    run_id: r.id,
    name: r.name,
    status: r.status,
    strategy: r.strategy,
    completed_rounds: r.completed_rounds,
    rounds: (JSON.parse(r.config) as { rounds: number }).rounds,
    model_hash: r.model_hash,
    failure: r.failure,
  };
}

/** One round attempt with its cohort, evaluators and dropouts out of `d` (Store.roundDetails). */
export function roundView(x: RoundRow, d: RoundDetails): DashboardRound {
  return {
    round: x.round,
    attempt: x.attempt,
    status: x.status,
    phase: x.phase,
    secure: x.secure === 1,
    model_hash_in: x.model_hash_in,
    model_hash_out: x.model_hash_out,
    failure: x.failure,
    started_at: x.started_at,
    ended_at: x.ended_at,
    cohort: d.cohort(x.round, x.attempt, 'fit'),
    evaluators: d.cohort(x.round, x.attempt, 'evaluate'),
    dropouts: d.dropouts(x.round, x.attempt),
  };
}

/** Every attempt of every round of a run, in three queries whatever the number of rounds. */
export async function roundViews(store: Store, runId: string): Promise<DashboardRound[]> {
  const rows = await store.rounds(runId);
  const details = await store.roundDetails(runId);
  return rows.map((x) => roundView(x, details));
}
