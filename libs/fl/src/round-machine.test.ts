import { describe, expect, it } from 'vitest';
import { FlError } from './errors.js';
import { RoundSummary } from '@unbox/protocol';
import { roundSummary } from './round-summary.js';
import { initialRound, stepRound, validateRoundRules, type RoundCommand, type RoundEvent, type RoundRules, type RoundState } from './round-machine.js';

const rules: RoundRules = {
  minSites: 3,
  fraction: 1,
  threshold: 2,
  evaluateFraction: 1,
  minEvaluateSites: 1,
  configureTimeoutMs: 1_000,
  fitTimeoutMs: 10_000,
  aggregateTimeoutMs: 5_000,
  evaluateTimeoutMs: 2_000,
  seed: 7,
};

/** Feeds events in order; returns the final state and every command emitted. */
function play(events: RoundEvent[], state: RoundState = initialRound(1), r: RoundRules = rules) {
  const commands: RoundCommand[] = [];
  for (const e of events) {
    const step = stepRound(state, e, r);
    state = step.state;
    commands.push(...step.commands);
  }
  return { state, commands };
}

const start: RoundEvent = { type: 'start', now: 0, available: ['A', 'B', 'C'] };
const ready = (site: string, now = 10): RoundEvent => ({ type: 'site-ready', now, site });
const fit = (site: string, now = 100): RoundEvent => ({ type: 'fit-result', now, site });
const evaluated = (site: string, now = 300): RoundEvent => ({ type: 'evaluate-result', now, site });
const allReady = [start, ready('A'), ready('B'), ready('C')];

describe('round state machine', () => {
  it('runs the happy path: idle → configuring → training → aggregating → evaluating → done', () => {
    const phases: string[] = [];
    let state = initialRound(1);
    const seen: RoundCommand[] = [];
    for (const e of [...allReady, fit('A'), fit('B'), fit('C'), { type: 'aggregated', now: 200, available: ['A', 'B', 'C', 'D'] } as RoundEvent, evaluated('A'), evaluated('B'), evaluated('C'), evaluated('D')]) {
      const step = stepRound(state, e, rules);
      state = step.state;
      seen.push(...step.commands);
      phases.push(state.phase);
    }
    expect([...new Set(phases)]).toEqual(['configuring', 'training', 'aggregating', 'evaluating', 'done']);
    expect(seen.map((c) => c.type)).toEqual(['configure', 'train', 'aggregate', 'evaluate', 'complete']);
    expect(seen[0]).toEqual({ type: 'configure', sites: ['A', 'B', 'C'], deadline: 1_000 });
    expect(seen[1]).toEqual({ type: 'train', sites: ['A', 'B', 'C'], deadline: 10 + 10_000 });
    expect(seen[2]).toEqual({ type: 'aggregate', sites: ['A', 'B', 'C'], deadline: 100 + 5_000 });
    // the unseen centre D evaluates too
    expect(seen[3]).toEqual({ type: 'evaluate', sites: ['A', 'B', 'C', 'D'], deadline: 200 + 2_000 });
    expect(seen[4]).toEqual({ type: 'complete', finished: ['A', 'B', 'C'], evaluated: ['A', 'B', 'C', 'D'], dropped: [] });
    expect(state).toMatchObject({ startedAt: 0, endedAt: 300, deadline: null });
  });

  it('does not start below minSites, and says how many are missing', () => {
    const { state, commands } = play([{ type: 'start', now: 0, available: ['A', 'B'] }]);
    expect(state.phase).toBe('idle');
    expect(commands).toEqual([{ type: 'wait-for-sites', available: 2, required: 3, reason: '2 site(s) available, 3 required' }]);
  });

  it('completes training with the sites that finished when the deadline passes and the threshold is met', () => {
    const { state, commands } = play([...allReady, fit('A'), fit('B'), { type: 'tick', now: 9_999 }, { type: 'tick', now: 10_010 }]);
    expect(state.phase).toBe('aggregating');
    expect(commands.filter((c) => c.type === 'drop')).toEqual([{ type: 'drop', site: 'C', stage: 'fit', reason: 'timeout' }]);
    expect(commands.at(-1)).toEqual({ type: 'aggregate', sites: ['A', 'B'], deadline: 10_010 + 5_000 });
    expect(state.dropped).toEqual([{ site: 'C', stage: 'fit', reason: 'timeout', at: 10_010 }]);
  });

  it('fails when the deadline passes below the threshold', () => {
    const { state, commands } = play([...allReady, fit('A'), { type: 'tick', now: 20_000 }]);
    expect(state.phase).toBe('failed');
    expect(state.failure).toBe('only 1 site(s) finished training; the threshold is 2');
    expect(commands.at(-1)).toMatchObject({ type: 'fail', reason: state.failure });
    expect(commands.filter((c) => c.type === 'drop').map((c) => 'site' in c && c.site)).toEqual(['B', 'C']);
  });

  it('fails as soon as dropouts make the threshold unreachable, without waiting for the deadline', () => {
    const { state } = play([...allReady, { type: 'site-dropped', now: 50, site: 'A', reason: 'disconnected' }, { type: 'site-dropped', now: 60, site: 'B', reason: 'disconnected' }]);
    expect(state.phase).toBe('failed');
    expect(state.failure).toBe('only 0 site(s) finished training and 1 pending; the threshold is 2');
    expect(state.endedAt).toBe(60);
  });

  it('goes on as soon as every remaining site finished after a dropout', () => {
    const { state, commands } = play([...allReady, fit('A'), { type: 'site-dropped', now: 50, site: 'C', reason: 'out of memory' }, fit('B', 60)]);
    expect(state.phase).toBe('aggregating');
    expect(commands.at(-1)).toEqual({ type: 'aggregate', sites: ['A', 'B'], deadline: 60 + 5_000 });
  });

  it('trains only with the sites that confirmed; a configure timeout drops the rest', () => {
    const { state, commands } = play([start, ready('A'), ready('C'), { type: 'tick', now: 1_000 }]);
    expect(state.phase).toBe('training');
    expect(state.training).toEqual(['A', 'C']);
    expect(commands.at(-1)).toEqual({ type: 'train', sites: ['A', 'C'], deadline: 11_000 });
    expect(state.dropped).toEqual([{ site: 'B', stage: 'configure', reason: 'timeout', at: 1_000 }]);
    // B's late fit result is refused: it is not training in this round
    const late = stepRound(state, fit('B', 1_500), rules);
    expect(late.commands).toEqual([{ type: 'reject', site: 'B', reason: "site 'B' is not taking part in this phase of round 1" }]);
  });

  it('refuses out-of-order, duplicate and foreign messages without changing state', () => {
    const configuring = play([start]).state;
    const early = stepRound(configuring, fit('A'), rules);
    expect(early.state).toBe(configuring);
    expect(early.commands).toEqual([{ type: 'reject', site: 'A', reason: "'fit-result' is not expected while round 1 is configuring" }]);
    const training = play(allReady).state;
    const foreign = stepRound(training, fit('Z'), rules);
    expect(foreign.commands[0]).toMatchObject({ type: 'reject', site: 'Z' });
    const once = stepRound(training, fit('A'), rules).state;
    expect(stepRound(once, fit('A'), rules).commands[0]).toEqual({ type: 'reject', site: 'A', reason: "site 'A' already reported 'fit-result' in round 1" });
    const dropped = stepRound(training, { type: 'site-dropped', now: 20, site: 'C', reason: 'disconnected' }, rules).state;
    expect(stepRound(dropped, fit('C'), rules).commands[0]).toMatchObject({ type: 'reject', reason: expect.stringContaining('was dropped from round 1 at fit (disconnected)') });
  });

  it('fails when aggregation fails or does not finish by its deadline; records secure-aggregation dropouts', () => {
    const aggregating = play([...allReady, fit('A'), fit('B'), fit('C')]).state;
    expect(play([{ type: 'aggregation-failed', now: 200, reason: 'fewer than t shares' }], aggregating).state.failure).toBe('aggregation failed: fewer than t shares');
    expect(play([{ type: 'tick', now: 100 + 5_000 }], aggregating).state.failure).toBe('aggregation did not finish by its deadline');
    const { state } = play([{ type: 'aggregated', now: 200, available: ['A', 'B'], dropped: [{ site: 'C', stage: 'unmasking', reason: 'disconnected' }] }], aggregating);
    expect(state.phase).toBe('evaluating');
    expect(state.dropped).toEqual([{ site: 'C', stage: 'unmasking', reason: 'disconnected', at: 200 }]);
    expect(state.evaluators).toEqual(['A', 'B']);
  });

  it('finishes evaluation at its deadline with whoever reported; the round is still done', () => {
    const evaluating = play([...allReady, fit('A'), fit('B'), fit('C'), { type: 'aggregated', now: 200, available: ['A', 'B', 'C'] }]).state;
    const { state, commands } = play([evaluated('A'), { type: 'tick', now: 2_200 }], evaluating);
    expect(state.phase).toBe('done');
    expect(commands.at(-1)).toMatchObject({ type: 'complete', evaluated: ['A'] });
    expect(state.dropped.map((d) => `${d.site}:${d.stage}`)).toEqual(['B:evaluate', 'C:evaluate']);
  });

  it('skips evaluation when disabled or when too few sites are available', () => {
    const aggregating = play([...allReady, fit('A'), fit('B'), fit('C')]).state;
    const off = stepRound(aggregating, { type: 'aggregated', now: 200, available: ['A'] }, { ...rules, evaluateFraction: 0 });
    expect(off.commands).toEqual([{ type: 'complete', finished: ['A', 'B', 'C'], evaluated: [], dropped: [], note: 'federated evaluation disabled' }]);
    const few = stepRound(aggregating, { type: 'aggregated', now: 200, available: ['A'] }, { ...rules, minEvaluateSites: 2 });
    expect(few.state.phase).toBe('done');
    expect(few.commands[0]).toMatchObject({ note: 'evaluation skipped: 1 site(s) available, 2 required' });
  });

  it('samples a fraction of the available sites, deterministically', () => {
    const r = { ...rules, fraction: 0.5, minSites: 2 };
    const available = ['A', 'B', 'C', 'D', 'E', 'F'];
    const a = play([{ type: 'start', now: 0, available }], initialRound(4), r).state.cohort;
    expect(a).toHaveLength(3);
    expect(play([{ type: 'start', now: 99, available: [...available].reverse() }], initialRound(4), r).state.cohort).toEqual(a);
  });

  it('can be cancelled; terminal rounds refuse site messages and ignore ticks', () => {
    const { state } = play([...allReady, { type: 'cancel', now: 5, reason: 'run paused' }]);
    expect(state.failure).toBe('cancelled: run paused');
    expect(stepRound(state, { type: 'tick', now: 1e9 }, rules)).toEqual({ state, commands: [] });
    expect(stepRound(state, fit('A'), rules).commands[0]).toMatchObject({ type: 'reject', reason: 'round 1 is over (failed)' });
    expect(() => stepRound(state, { type: 'aggregated', now: 1, available: [] }, rules)).toThrow(FlError);
  });

  it('treats coordinator-side ordering mistakes as errors, not as site input', () => {
    const training = play(allReady).state;
    expect(() => stepRound(training, start, rules)).toThrow(/already started/);
    expect(() => stepRound(training, { type: 'aggregated', now: 1, available: [] }, rules)).toThrow(/'aggregated' while training/);
  });

  it('checks the rules', () => {
    expect(() => validateRoundRules(rules)).not.toThrow();
    expect(() => validateRoundRules({ ...rules, threshold: 4 })).toThrow(/threshold \(4\) must be <= minSites \(3\)/);
    expect(() => validateRoundRules({ ...rules, fitTimeoutMs: 0 })).toThrow(/fitTimeoutMs must be > 0/);
    expect(() => initialRound(0)).toThrow(/round must be an integer >= 1/);
  });

  it('summarises a finished round in the summary.json shape', () => {
    const { state } = play([...allReady, fit('A'), fit('B'), { type: 'tick', now: 10_010 }, { type: 'aggregated', now: 12_000, available: ['A', 'B'] }, evaluated('A', 12_500), evaluated('B', 12_500)]);
    const splits = { test: { centre: 'A', image: { n: 10, acc: 0.5, precision: 0.5, sensitivity: 0.5, specificity: 0.5, auc: 0.5 } } };
    const s = roundSummary(state, { A: splits });
    expect(s).toEqual({ round: 1, cohort: ['A', 'B', 'C'], dropped: [{ site: 'C', stage: 'fit', reason: 'timeout' }], wall_s: 12.5, metrics: { A: splits }, status: 'done' });
    expect(RoundSummary.safeParse(s).success).toBe(true);
    expect(() => roundSummary(play([start]).state)).toThrow(/only a finished round/);
  });
});
