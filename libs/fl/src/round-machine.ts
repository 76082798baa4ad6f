import type { DropStage } from '@unbox/protocol';
import { selectCohort } from './cohort.js';
import { FlError } from './errors.js';

/**
 * One federated round as a pure state machine: events in (with the current time), commands out.
 * No timers and no I/O: the coordinator feeds it messages, disconnects and clock ticks, and
 * carries out the commands (send, aggregate, persist).
 *
 *   idle ─start→ configuring ─(all ready | deadline)→ training ─(all finished | deadline)→
 *   aggregating ─aggregated→ evaluating ─(all evaluated | deadline)→ done
 *
 * A phase that ends with fewer than `threshold` sites still in the round, or that can no longer
 * reach it because sites dropped, ends the round in `failed`; otherwise the round goes on with
 * the sites that made it (the rest are recorded as dropped, with stage and reason).
 */
export type RoundPhase = 'idle' | 'configuring' | 'training' | 'aggregating' | 'evaluating' | 'done' | 'failed';

export interface RoundRules {
  /** sites that must be available to start, and the smallest cohort. */
  readonly minSites: number;
  /** fraction of available sites sampled for training. */
  readonly fraction: number;
  /** fewest sites that must finish training for the round to aggregate (≤ minSites). */
  readonly threshold: number;
  readonly evaluateFraction: number;
  readonly minEvaluateSites: number;
  readonly configureTimeoutMs: number;
  readonly fitTimeoutMs: number;
  readonly aggregateTimeoutMs: number;
  readonly evaluateTimeoutMs: number;
  /** cohort sampling seed. */
  readonly seed: number | string;
}

export interface Drop {
  readonly site: string;
  readonly stage: DropStage;
  readonly reason: string;
  readonly at: number;
}

export interface RoundState {
  readonly round: number;
  readonly phase: RoundPhase;
  /** sites selected for training. */
  readonly cohort: readonly string[];
  /** cohort sites that confirmed the round (model received and verified). */
  readonly ready: readonly string[];
  /** sites told to train (the ready ones when configuring ended). */
  readonly training: readonly string[];
  /** sites whose fit result arrived. */
  readonly finished: readonly string[];
  readonly evaluators: readonly string[];
  readonly evaluated: readonly string[];
  readonly dropped: readonly Drop[];
  /** when the current phase gives up on the sites still pending (ms); null when not waiting. */
  readonly deadline: number | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly failure: string | null;
}

export type RoundEvent =
  | { readonly type: 'start'; readonly now: number; readonly available: readonly string[] }
  | { readonly type: 'site-ready'; readonly now: number; readonly site: string }
  | { readonly type: 'fit-result'; readonly now: number; readonly site: string }
  | { readonly type: 'evaluate-result'; readonly now: number; readonly site: string }
  /** a site declined, disconnected, or sent something unusable. */
  | { readonly type: 'site-dropped'; readonly now: number; readonly site: string; readonly reason: string; readonly stage?: DropStage }
  /** the aggregate is computed; `dropped`: sites lost inside secure aggregation; `available`: sites to evaluate from. */
  | {
      readonly type: 'aggregated';
      readonly now: number;
      readonly available: readonly string[];
      readonly dropped?: readonly { site: string; stage: DropStage; reason: string }[];
    }
  | { readonly type: 'aggregation-failed'; readonly now: number; readonly reason: string }
  | { readonly type: 'tick'; readonly now: number }
  | { readonly type: 'cancel'; readonly now: number; readonly reason: string };

export type RoundCommand =
  | { readonly type: 'wait-for-sites'; readonly available: number; readonly required: number; readonly reason: string }
  /** send round.start (model + fit config) to these sites. */
  | { readonly type: 'configure'; readonly sites: string[]; readonly deadline: number }
  /** send round.train to these sites. */
  | { readonly type: 'train'; readonly sites: string[]; readonly deadline: number }
  /** aggregate the results of these sites (secure aggregation: run its unmasking with them). */
  | { readonly type: 'aggregate'; readonly sites: string[]; readonly deadline: number }
  | { readonly type: 'evaluate'; readonly sites: string[]; readonly deadline: number }
  /** record a dropout and tell the site it is out of this round. */
  | { readonly type: 'drop'; readonly site: string; readonly stage: DropStage; readonly reason: string }
  /** refuse a site's message that does not fit the round (answer with an out_of_order error). */
  | { readonly type: 'reject'; readonly site: string; readonly reason: string }
  | { readonly type: 'complete'; readonly finished: string[]; readonly evaluated: string[]; readonly dropped: Drop[]; readonly note?: string }
  | { readonly type: 'fail'; readonly reason: string; readonly dropped: Drop[] };

export interface RoundStep {
  readonly state: RoundState;
  readonly commands: RoundCommand[];
}

/** Checks rules once, when a run starts; throws an FlError naming the rule. */
export function validateRoundRules(r: RoundRules): void {
  const int = (k: keyof RoundRules, min: number) => {
    const v = r[k] as number;
    if (!Number.isInteger(v) || v < min) throw new FlError(`round rules: ${k} must be an integer >= ${min}, got ${v}`);
  };
  int('minSites', 1);
  int('threshold', 1);
  int('minEvaluateSites', 0);
  if (r.threshold > r.minSites) throw new FlError(`round rules: threshold (${r.threshold}) must be <= minSites (${r.minSites})`);
  if (!(r.fraction > 0 && r.fraction <= 1)) throw new FlError(`round rules: fraction must be in (0, 1], got ${r.fraction}`);
  if (!(r.evaluateFraction >= 0 && r.evaluateFraction <= 1))
    throw new FlError(`round rules: evaluateFraction must be in [0, 1], got ${r.evaluateFraction}`);
  for (const k of ['configureTimeoutMs', 'fitTimeoutMs', 'aggregateTimeoutMs', 'evaluateTimeoutMs'] as const)
    if (!(r[k] > 0) || !Number.isFinite(r[k])) throw new FlError(`round rules: ${k} must be > 0, got ${r[k]}`);
}

export function initialRound(round: number): RoundState {
  if (!Number.isInteger(round) || round < 1) throw new FlError(`round must be an integer >= 1, got ${round}`);
  return {
    round,
    phase: 'idle',
    cohort: [],
    ready: [],
    training: [],
    finished: [],
    evaluators: [],
    evaluated: [],
    dropped: [],
    deadline: null,
    startedAt: null,
    endedAt: null,
    failure: null,
  };
}

/** The deadline the coordinator should next wake up for (feed a `tick` then). */
export function nextDeadline(state: RoundState): number | null {
  return state.deadline;
}

export function isTerminal(state: RoundState): boolean {
  return state.phase === 'done' || state.phase === 'failed';
}

const STAGE: Partial<Record<RoundPhase, DropStage>> = {
  configuring: 'configure',
  training: 'fit',
  aggregating: 'aggregate',
  evaluating: 'evaluate',
};

/** The sites the current phase is still waiting for, and the ones it counts as done. */
function waiting(s: RoundState): { expected: readonly string[]; done: readonly string[] } {
  switch (s.phase) {
    case 'configuring':
      return { expected: s.cohort, done: s.ready };
    case 'training':
      return { expected: s.training, done: s.finished };
    case 'evaluating':
      return { expected: s.evaluators, done: s.evaluated };
    default:
      return { expected: [], done: [] };
  }
}

function droppedIn(s: RoundState, site: string): Drop | undefined {
  return s.dropped.find((d) => d.site === site);
}

function pending(s: RoundState): string[] {
  const { expected, done } = waiting(s);
  return expected.filter((x) => !done.includes(x) && !droppedIn(s, x));
}

/** Advances one event. Pure: the input state is not modified. */
export function stepRound(state: RoundState, event: RoundEvent, rules: RoundRules): RoundStep {
  const commands: RoundCommand[] = [];
  let s = state;
  const fail = (reason: string): RoundStep => {
    s = { ...s, phase: 'failed', failure: reason, deadline: null, endedAt: event.now };
    commands.push({ type: 'fail', reason, dropped: [...s.dropped] });
    return { state: s, commands };
  };
  const drop = (site: string, stage: DropStage, reason: string) => {
    s = { ...s, dropped: [...s.dropped, { site, stage, reason, at: event.now }] };
    commands.push({ type: 'drop', site, stage, reason });
  };
  const reject = (site: string, reason: string): RoundStep => {
    commands.push({ type: 'reject', site, reason });
    return { state: s, commands };
  };

  if (event.type === 'cancel') {
    if (isTerminal(s)) return { state: s, commands };
    return fail(`cancelled: ${event.reason}`);
  }
  if (isTerminal(s)) {
    if ('site' in event) return reject(event.site, `round ${s.round} is over (${s.phase})`);
    if (event.type === 'tick') return { state: s, commands };
    throw new FlError(`round ${s.round} is ${s.phase}: unexpected '${event.type}'`);
  }

  switch (event.type) {
    case 'start': {
      if (s.phase !== 'idle') throw new FlError(`round ${s.round} already started (${s.phase})`);
      const sel = selectCohort({ available: event.available, fraction: rules.fraction, minSites: Math.max(rules.minSites, rules.threshold), seed: rules.seed, round: s.round, purpose: 'fit' });
      if (!sel.ok) {
        commands.push({ type: 'wait-for-sites', available: sel.available, required: sel.required, reason: sel.reason });
        return { state: s, commands };
      }
      const deadline = event.now + rules.configureTimeoutMs;
      s = { ...s, phase: 'configuring', cohort: sel.sites, startedAt: event.now, deadline };
      commands.push({ type: 'configure', sites: [...sel.sites], deadline });
      return { state: s, commands };
    }

    case 'site-ready':
    case 'fit-result':
    case 'evaluate-result': {
      const phase = ({ 'site-ready': 'configuring', 'fit-result': 'training', 'evaluate-result': 'evaluating' } as const)[event.type];
      if (s.phase !== phase) return reject(event.site, `'${event.type}' is not expected while round ${s.round} is ${s.phase}`);
      const { expected, done } = waiting(s);
      if (!expected.includes(event.site)) return reject(event.site, `site '${event.site}' is not taking part in this phase of round ${s.round}`);
      const d = droppedIn(s, event.site);
      if (d) return reject(event.site, `site '${event.site}' was dropped from round ${s.round} at ${d.stage} (${d.reason})`);
      if (done.includes(event.site)) return reject(event.site, `site '${event.site}' already reported '${event.type}' in round ${s.round}`);
      if (event.type === 'site-ready') s = { ...s, ready: [...s.ready, event.site] };
      else if (event.type === 'fit-result') s = { ...s, finished: [...s.finished, event.site] };
      else s = { ...s, evaluated: [...s.evaluated, event.site] };
      return settle(event.now, false);
    }

    case 'site-dropped': {
      if (droppedIn(s, event.site)) return { state: s, commands };
      const stage = event.stage ?? STAGE[s.phase];
      if (s.phase === 'aggregating') {
        // Losses inside aggregation are secure aggregation's business; it reports failure itself.
        if (s.finished.includes(event.site)) drop(event.site, stage ?? 'aggregate', event.reason);
        return { state: s, commands };
      }
      if (!pending(s).includes(event.site)) return { state: s, commands };
      drop(event.site, stage ?? 'fit', event.reason);
      return settle(event.now, false);
    }

    case 'tick': {
      if (s.deadline === null || event.now < s.deadline) return { state: s, commands };
      if (s.phase === 'aggregating') return fail(`aggregation did not finish by its deadline`);
      const stage = STAGE[s.phase]!;
      for (const site of pending(s)) drop(site, stage, 'timeout');
      return settle(event.now, true);
    }

    case 'aggregated': {
      if (s.phase !== 'aggregating') throw new FlError(`round ${s.round}: 'aggregated' while ${s.phase}`);
      for (const d of event.dropped ?? []) if (!droppedIn(s, d.site)) drop(d.site, d.stage, d.reason);
      if (rules.evaluateFraction === 0) return complete(event.now, 'federated evaluation disabled');
      const sel = selectCohort({ available: event.available, fraction: rules.evaluateFraction, minSites: rules.minEvaluateSites, seed: rules.seed, round: s.round, purpose: 'evaluate' });
      if (!sel.ok) return complete(event.now, `evaluation skipped: ${sel.reason}`);
      if (sel.sites.length === 0) return complete(event.now, 'evaluation skipped: no site available');
      const deadline = event.now + rules.evaluateTimeoutMs;
      s = { ...s, phase: 'evaluating', evaluators: sel.sites, deadline };
      commands.push({ type: 'evaluate', sites: [...sel.sites], deadline });
      return { state: s, commands };
    }

    case 'aggregation-failed': {
      if (s.phase !== 'aggregating') throw new FlError(`round ${s.round}: 'aggregation-failed' while ${s.phase}`);
      return fail(`aggregation failed: ${event.reason}`);
    }
  }

  function complete(now: number, note?: string): RoundStep {
    s = { ...s, phase: 'done', deadline: null, endedAt: now };
    commands.push({ type: 'complete', finished: [...s.finished], evaluated: [...s.evaluated], dropped: [...s.dropped], ...(note ? { note } : {}) });
    return { state: s, commands };
  }

  /** Moves on when nobody is pending (or the deadline passed), or fails when the threshold is out of reach. */
  function settle(now: number, deadlinePassed: boolean): RoundStep {
    const { done } = waiting(s);
    const left = pending(s);
    if (s.phase === 'evaluating') return left.length === 0 ? complete(now) : { state: s, commands };
    const label = s.phase === 'configuring' ? 'confirmed the round' : 'finished training';
    if (done.length + left.length < rules.threshold)
      return fail(`only ${done.length} site(s) ${label}${left.length ? ` and ${left.length} pending` : ''}; the threshold is ${rules.threshold}`);
    if (left.length > 0 && !deadlinePassed) return { state: s, commands };
    if (s.phase === 'configuring') {
      const deadline = now + rules.fitTimeoutMs;
      s = { ...s, phase: 'training', training: [...s.ready], deadline };
      commands.push({ type: 'train', sites: [...s.ready], deadline });
    } else {
      const deadline = now + rules.aggregateTimeoutMs;
      s = { ...s, phase: 'aggregating', deadline };
      commands.push({ type: 'aggregate', sites: [...s.finished], deadline });
    }
    return { state: s, commands };
  }
}
