/** Runs and round attempts as the dashboard sees them (GET /api/runs rows, GET /api/runs/:id rounds). */
import type { DashboardRound, DashboardRun } from '@unbox/protocol';
import type { RoundRow, RunRow, Store } from '../db/store.js';

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

export async function roundView(store: Store, x: RoundRow): Promise<DashboardRound> {
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
    cohort: await store.cohort(x.run_id, x.round, x.attempt, 'fit'),
    evaluators: await store.cohort(x.run_id, x.round, x.attempt, 'evaluate'),
    dropouts: await store.dropouts(x.run_id, x.round, x.attempt),
  };
}
