import type { EvaluationSplits, RoundSummary } from '@unbox/protocol';
import { FlError } from './errors.js';
import { isTerminal, type RoundState } from './round-machine.js';

/**
 * A finished round as one entry of `runs/<run-id>/summary.json` (result-formats.md): cohort,
 * dropouts with their stage, wall time, and each centre's evaluation splits.
 */
export function roundSummary(state: RoundState, metrics: Readonly<Record<string, EvaluationSplits>> = {}, modelHash?: string): RoundSummary {
  if (!isTerminal(state) || state.startedAt === null || state.endedAt === null)
    throw new FlError(`round ${state.round} is ${state.phase}: only a finished round has a summary`);
  return {
    round: state.round,
    cohort: [...state.cohort],
    dropped: state.dropped.map((d) => ({ site: d.site, stage: d.stage, reason: d.reason })),
    wall_s: (state.endedAt - state.startedAt) / 1000,
    metrics: { ...metrics },
    status: state.phase === 'done' ? 'done' : 'failed',
    ...(modelHash ? { model_hash: modelHash } : {}),
  };
}
