/**
 * Drives one federated run, round after round, with @unbox/fl's pure round machine (`stepRound`):
 * this class feeds it site messages, disconnects and deadline ticks, and carries out its commands
 * (send, secure aggregation, checkpoint, persist). Everything a completed round produced is stored
 * in one transaction at its end, so a coordinator killed at any point restarts from the last
 * completed round and redoes the interrupted one as a new attempt, with fresh secure-aggregation keys.
 */
import { randomBytes } from 'node:crypto';
import {
  encodeParameters,
  initialRound,
  isTerminal,
  roundRulesFromConfig,
  stepRound,
  strategyFromConfig,
  sumFromVector,
  sharedLength,
  decodeParameters,
  type FitResult as FlFitResult,
  type RoundCommand,
  type RoundEvent,
  type RoundRules,
  type RoundState,
  type Strategy,
  type StrategyState,
  type Tensor,
} from '@unbox/fl';
import type { DropStage, Message, RunConfig, SharedFeatures } from '@unbox/protocol';
import { ChunkAssembler } from '@unbox/protocol/transfer';
import { defaultThreshold, resolveParams, SecAggError, type RosterEntry } from '@unbox/secagg';
import { CoordinatorError } from '../errors.js';
import type { Store } from '../db/store.js';
import type { Checkpoints } from '../model-registry/checkpoints.js';
import { pack } from '@unbox/protocol';
import { SecAggRound } from '../secure-aggregation/secagg-round.js';
import { parseClientMessage, type ClientEnvelope } from '../secure-aggregation/wire.js';
import type { SiteEvent } from '../gateway/site-gateway.js';

/** What the driver needs from the socket layer. */
export interface SiteTransport {
  connected(): Set<string>;
  send(site: string, event: string, payload: unknown): boolean;
  sendBytes(site: string, transferId: string, bytes: Uint8Array): boolean;
}

export interface DriverOptions {
  secagg: { clip: number; maxWeight: number; stageTimeoutMs: number };
  /** how often a run waiting for sites looks again */
  waitPollMs: number;
  /** consecutive failed attempts of one round before the run fails */
  maxRoundAttempts: number;
  retryDelayMs: number;
  now(): number;
  log(level: 'info' | 'warn', line: string): void;
  /** called after every round (done or failed) */
  onRoundEnd?(run: string, round: number): void | Promise<void>;
  /**
   * called once a round is stored, with the features the opted-in sites of its cohort shared
   * (consortium t-SNE); must return at once: the next round does not wait for it
   */
  onRoundFeatures?(run: string, round: number, sites: { centre: string; features: SharedFeatures }[]): void;
}

interface Current {
  round: number;
  attempt: number;
  state: RoundState;
  global: Tensor[];
  /** hash of what the sites were sent (FedBN: the shared part only) */
  sentHash: string;
  secure: boolean;
  timer: NodeJS.Timeout | null;
  plaintext: Map<string, FlFitResult>;
  uploads: Map<string, { assembler: ChunkAssembler; result: Message<'fit.result'> }>;
  reports: Map<string, { numExamples: number; metrics: Record<string, number> }>;
  /** pooled backbone features shared by opted-in sites with their fit results (consortium t-SNE) */
  features: Map<string, SharedFeatures>;
  /** the sites whose updates are in the aggregate */
  contributors: string[];
  secagg: SecAggRound | null;
  secaggLength: number;
  secaggN: number;
  next: { params: Tensor[]; state: StrategyState | null; metrics: Record<string, number> } | null;
  startedAt: number;
  settle(ok: boolean): void;
}

export class RunDriver {
  readonly strategy: Strategy;
  readonly rules: RoundRules;
  private status: 'running' | 'paused' | 'stopped' = 'running';
  private current: Current | null = null;
  private wake: (() => void) | null = null;
  private loopDone: Promise<void> | null = null;
  private stateTensors: StrategyState | null = null;

  constructor(
    readonly id: string,
    readonly config: RunConfig,
    private readonly store: Store,
    private readonly checkpoints: Checkpoints,
    private readonly transport: SiteTransport,
    private readonly o: DriverOptions,
  ) {
    this.strategy = strategyFromConfig(config);
    this.rules = roundRulesFromConfig(config);
  }

  get phase(): string {
    return this.current ? this.current.state.phase : this.status;
  }

  start(paused = false): void {
    this.status = paused ? 'paused' : 'running';
    this.loopDone = this.loop().catch((e) => this.o.log('warn', `run ${this.id}: stopped by an internal error: ${(e as Error).stack ?? e}`));
  }

  pause(): void {
    if (this.status === 'running') this.status = 'paused';
  }

  resume(): void {
    if (this.status === 'paused') this.status = 'running';
    this.poke();
  }

  /** Stops the run; a round in progress is cancelled (and not stored). */
  async stop(reason: string): Promise<void> {
    this.status = 'stopped';
    if (this.current) this.feed({ type: 'cancel', now: this.o.now(), reason });
    this.poke();
    await this.loopDone;
  }

  /** Ends the loop without touching stored state (shutdown): the run resumes at the next start. */
  async halt(): Promise<void> {
    this.status = 'stopped';
    const c = this.current;
    if (c) {
      if (c.timer) clearTimeout(c.timer);
      c.secagg?.cancel('coordinator shutting down');
      c.settle(false);
    }
    this.poke();
    await this.loopDone;
  }

  poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    let global: Tensor[];
    {
      const v = await this.store.latestModelVersion(this.id);
      if (!v) throw new Error(`run ${this.id} has no stored model`);
      const loaded = await this.checkpoints.load(v.path);
      global = loaded.params;
      this.stateTensors = loaded.state;
    }
    let failures = 0;
    for (;;) {
      if (this.status === 'stopped') return;
      if (this.status === 'paused') {
        await this.sleep(60_000);
        continue;
      }
      const row = await this.store.run(this.id);
      if (!row) return;
      const round = row.completed_rounds + 1;
      if (round > this.config.rounds) {
        await this.store.setRunStatus(this.id, 'done', this.o.now());
        this.o.log('info', `run ${this.id}: all ${this.config.rounds} rounds done`);
        return;
      }
      const available = this.available();
      const need = Math.max(this.rules.minSites, this.rules.threshold, this.config.secure_aggregation ? 2 : 1);
      if (available.length < need) {
        await this.sleep(this.o.waitPollMs);
        continue;
      }
      const outcome = await this.playRound(round, global, available);
      if (this.stopped()) return;
      if (outcome) {
        global = outcome;
        failures = 0;
      } else if (++failures >= this.o.maxRoundAttempts) {
        await this.store.setRunStatus(this.id, 'failed', this.o.now(), `round ${round} failed ${failures} times in a row`);
        this.o.log('warn', `run ${this.id}: failed (round ${round} failed ${failures} times)`);
        return;
      } else await this.sleep(this.o.retryDelayMs);
    }
  }

  /** Fire-and-forget writes must not stop the round, but a lost write is said, never silent. */
  private storeFailed(what: string, round: number, e: unknown): void {
    this.o.log('warn', `run ${this.id} round ${round}: could not store ${what}: ${(e as Error)?.message ?? e}`);
  }

  private stopped(): boolean {
    return this.status === 'stopped';
  }

  private available(): string[] {
    return [...this.transport.connected()].sort();
  }

  /** One attempt of a round; resolves with the new global model, or null when it failed. */
  private async playRound(round: number, global: Tensor[], available: string[]): Promise<Tensor[] | null> {
    const now = this.o.now();
    const first = this.strategy.configureFit({ round, global, sites: ['-'] })[0];
    const secure = this.config.secure_aggregation;
    if (!secure) this.o.log('warn', `run ${this.id} round ${round}: PLAINTEXT aggregation (debug_plaintext is set): the coordinator sees every site's update`);
    const attempt = await this.store.beginRound({ run: this.id, round, secure, modelHashIn: first.modelHash, now });
    let settle!: (ok: boolean) => void;
    const finished = new Promise<boolean>((resolve) => (settle = resolve));
    const c: Current = {
      round,
      attempt,
      state: initialRound(round),
      global,
      sentHash: first.modelHash,
      secure,
      timer: null,
      plaintext: new Map(),
      uploads: new Map(),
      reports: new Map(),
      features: new Map(),
      contributors: [],
      secagg: null,
      secaggLength: sharedLength(global, this.strategy.isShared),
      secaggN: 0,
      next: null,
      startedAt: now,
      settle: (ok) => settle(ok),
    };
    this.current = c;
    this.o.log('info', `run ${this.id}: round ${round} attempt ${attempt} starts with ${available.length} site(s) available`);
    this.feed({ type: 'start', now, available });
    const ok = await finished;
    if (c.timer) clearTimeout(c.timer);
    this.current = null;
    await this.o.onRoundEnd?.(this.id, round);
    return ok && c.next ? c.next.params : null;
  }

  // ---- the round machine ------------------------------------------------------------------------

  private feed(event: RoundEvent): void {
    const c = this.current;
    if (!c) return;
    let step;
    try {
      step = stepRound(c.state, event, this.rules);
    } catch (e) {
      this.o.log('warn', `run ${this.id} round ${c.round}: ${(e as Error).message}`);
      return;
    }
    const before = c.state.phase;
    c.state = step.state;
    if (before !== c.state.phase) void this.store.setRoundPhase(this.id, c.round, c.attempt, c.state.phase).catch((e) => this.storeFailed('round phase', c.round, e));
    if (c.timer) clearTimeout(c.timer);
    c.timer = null;
    if (c.state.deadline !== null && !isTerminal(c.state)) {
      const wait = Math.max(0, c.state.deadline - this.o.now());
      c.timer = setTimeout(() => this.feed({ type: 'tick', now: Math.max(this.o.now(), c.state.deadline ?? 0) }), wait);
    }
    for (const cmd of step.commands) this.execute(c, cmd);
  }

  private execute(c: Current, cmd: RoundCommand): void {
    const run = this.id;
    const fail = (e: unknown) => this.o.log('warn', `run ${run} round ${c.round}: ${cmd.type}: ${(e as Error)?.stack ?? e}`);
    switch (cmd.type) {
      case 'wait-for-sites':
        // fewer sites than a cohort needs: this attempt ends and the loop waits for more
        this.o.log('info', `run ${run} round ${c.round}: waiting for sites (${cmd.reason})`);
        void this.store.endRound({ run, round: c.round, attempt: c.attempt, status: 'failed', failure: `not enough sites: ${cmd.reason}`, now: this.o.now() }).then(() => c.settle(false), fail);
        return;
      case 'configure': {
        void this.store.setCohort(run, c.round, c.attempt, 'fit', cmd.sites).catch(fail);
        for (const ins of this.strategy.configureFit({ round: c.round, global: c.global, sites: cmd.sites })) {
          const { manifest, bytes } = encodeParameters(ins.parameters);
          const transfer = `${run}.r${c.round}.a${c.attempt}.m.${randomBytes(4).toString('hex')}`;
          const msg: Message<'round.start'> = {
            run_id: run,
            round: c.round,
            task: this.config.task,
            model_hash: ins.modelHash,
            model: { transfer_id: transfer, manifest },
            config: ins.config,
            secure_aggregation: c.secure,
            deadline: cmd.deadline,
          };
          if (this.transport.send(ins.site, 'round.start', msg)) this.transport.sendBytes(ins.site, transfer, bytes);
          else this.feed({ type: 'site-dropped', now: this.o.now(), site: ins.site, reason: 'not connected', stage: 'configure' });
        }
        return;
      }
      case 'train':
        for (const site of cmd.sites) this.transport.send(site, 'round.train', { run_id: run, round: c.round, cohort: cmd.sites, deadline: cmd.deadline } satisfies Message<'round.train'>);
        return;
      case 'aggregate':
        void this.aggregate(c, cmd.sites, cmd.deadline).catch((e) => {
          fail(e);
          this.feed({ type: 'aggregation-failed', now: this.o.now(), reason: (e as Error).message });
        });
        return;
      case 'evaluate': {
        void this.store.setCohort(run, c.round, c.attempt, 'evaluate', cmd.sites).catch(fail);
        const model = c.next!.params;
        for (const ins of this.strategy.configureEvaluate({ round: c.round, global: model, sites: cmd.sites })) {
          const { manifest, bytes } = encodeParameters(ins.parameters);
          const transfer = `${run}.r${c.round}.a${c.attempt}.e.${randomBytes(4).toString('hex')}`;
          const msg: Message<'evaluate.request'> = {
            run_id: run,
            round: c.round,
            model_hash: ins.modelHash,
            model: { transfer_id: transfer, manifest },
            splits: ['train', 'val', 'test'],
            ...(ins.config.keep_local ? { keep_local: [...ins.config.keep_local] } : {}),
            deadline: cmd.deadline,
          };
          if (this.transport.send(ins.site, 'evaluate.request', msg)) this.transport.sendBytes(ins.site, transfer, bytes);
          else this.feed({ type: 'site-dropped', now: this.o.now(), site: ins.site, reason: 'not connected', stage: 'evaluate' });
        }
        return;
      }
      case 'drop':
        void this.store.addDropout(run, c.round, c.attempt, { site: cmd.site, stage: cmd.stage, reason: cmd.reason, at: this.o.now() }).catch(fail);
        c.secagg?.siteGone(cmd.site, cmd.reason);
        this.transport.send(cmd.site, 'round.dropout', { run_id: run, round: c.round, site_id: cmd.site, stage: cmd.stage, reason: cmd.reason.slice(0, 1024) } satisfies Message<'round.dropout'>);
        return;
      case 'reject':
        this.transport.send(cmd.site, 'error', { code: 'out_of_order', message: cmd.reason.slice(0, 1024) });
        return;
      case 'complete':
        void this.complete(c, cmd.note).then(
          () => c.settle(true),
          (e) => {
            fail(e);
            c.settle(false);
          },
        );
        return;
      case 'fail':
        c.secagg?.cancel(cmd.reason);
        this.o.log('warn', `run ${run} round ${c.round} attempt ${c.attempt} failed: ${cmd.reason}`);
        for (const site of c.state.cohort) this.transport.send(site, 'round.end', { run_id: run, round: c.round, status: 'failed', reason: cmd.reason.slice(0, 1024) } satisfies Message<'round.end'>);
        void this.store.endRound({ run, round: c.round, attempt: c.attempt, status: 'failed', failure: cmd.reason, now: this.o.now() }).then(() => c.settle(false), (e) => {
          fail(e);
          c.settle(false);
        });
        return;
    }
  }

  private async aggregate(c: Current, sites: string[], deadline: number): Promise<void> {
    const failures = c.state.dropped.map((d) => ({ site: d.site, stage: d.stage, reason: d.reason }));
    let outcome;
    const drops: { site: string; stage: DropStage; reason: string }[] = [];
    if (c.secure) {
      const roster: RosterEntry[] = [];
      for (const id of sites) {
        const s = await this.store.site(id);
        if (s?.status === 'enrolled' && s.public_key) roster.push({ id, signingKey: new Uint8Array(Buffer.from(s.public_key, 'base64')) });
      }
      if (roster.length < 2) throw new Error(`secure aggregation needs at least 2 sites, ${roster.length} finished training`);
      const n = roster.length;
      const threshold = Math.min(n, Math.max(defaultThreshold(n), this.rules.threshold));
      const params = resolveParams({ length: c.secaggLength, clip: this.o.secagg.clip, maxWeight: this.o.secagg.maxWeight, maxSites: Math.max(2, n) });
      c.secaggN = n;
      const stageTimeoutMs = Math.max(1, Math.min(this.o.secagg.stageTimeoutMs, (deadline - this.o.now()) / 5));
      const sa = new SecAggRound({
        run: this.id,
        round: c.round,
        modelHash: new Uint8Array(Buffer.from(c.sentHash, 'hex')),
        roster,
        params,
        threshold,
        stageTimeoutMs,
        send: (site, message, firstStage) => {
          this.transport.send(site, 'secagg', { run_id: this.id, round: c.round, ...(firstStage ? { params } : {}), ...pack(message) });
        },
        log: (l) => this.o.log('info', l),
      });
      c.secagg = sa;
      // a site that left between training and now is gone for secure aggregation too
      for (const id of sites) if (!this.transport.connected().has(id)) sa.siteGone(id, 'disconnected');
      const { result, drops: saDrops } = await sa.done;
      drops.push(...saDrops);
      const included = result.included;
      c.contributors = [...included];
      const reports = included.map((s) => c.reports.get(s)).filter((r): r is NonNullable<typeof r> => r !== undefined);
      const sum = sumFromVector(c.global, result.weightedSum, result.totalWeight, included, 'deltas', this.strategy.isShared);
      outcome = this.strategy.aggregateFit({ round: c.round, global: c.global, input: { kind: 'sum', sum, reports }, failures: [...failures, ...drops], state: this.stateTensors });
    } else {
      const results = sites.map((s) => c.plaintext.get(s)).filter((r): r is FlFitResult => r !== undefined);
      c.contributors = results.map((r) => r.site);
      outcome = this.strategy.aggregateFit({ round: c.round, global: c.global, input: { kind: 'results', results }, failures, state: this.stateTensors });
    }
    if (!outcome.parameters) throw new Error(`strategy produced no model: ${outcome.reason ?? 'unknown reason'}`);
    c.next = { params: outcome.parameters, state: outcome.state, metrics: outcome.metrics };
    const available = this.available().filter((s) => !drops.some((d) => d.site === s));
    this.feed({ type: 'aggregated', now: this.o.now(), available, dropped: drops });
  }

  private async complete(c: Current, note?: string): Promise<void> {
    const next = c.next!;
    const saved = await this.checkpoints.save(this.id, c.round, next.params, next.state);
    const now = this.o.now();
    await this.store.endRound({
      run: this.id,
      round: c.round,
      attempt: c.attempt,
      status: 'done',
      note: note ?? null,
      modelHashOut: saved.modelHash,
      version: { model_hash: saved.modelHash, strategy: this.strategy.name, path: saved.path, bytes: saved.bytes, created_at: now },
      now,
    });
    this.stateTensors = next.state;
    this.o.log('info', `run ${this.id}: round ${c.round} done with ${c.state.finished.length} site(s), model ${saved.modelHash.slice(0, 12)}`);
    for (const site of c.state.cohort)
      this.transport.send(site, 'round.end', { run_id: this.id, round: c.round, status: 'done', model_hash: saved.modelHash, sites: [...c.state.finished] } satisfies Message<'round.end'>);
    // only the sites whose training counted in this round
    const shared = [...c.features.entries()].filter(([site]) => c.contributors.includes(site)).sort((a, b) => a[0].localeCompare(b[0]));
    if (shared.length > 0) {
      try {
        this.o.onRoundFeatures?.(this.id, c.round, shared.map(([centre, features]) => ({ centre, features })));
      } catch (e) {
        this.o.log('warn', `run ${this.id} round ${c.round}: consortium t-SNE not scheduled: ${(e as Error).message}`);
      }
    }
  }

  // ---- inbound ----------------------------------------------------------------------------------

  private roundOf(site: string, kind: string, m: { run_id: string; round: number }): Current {
    const c = this.current;
    if (!c || c.round !== m.round) throw new CoordinatorError('out_of_order', `${kind}: run '${m.run_id}' is not in round ${m.round}${c ? ` (it is in round ${c.round})` : ''}`, 'round');
    return c;
  }

  handle(site: string, kind: SiteEvent, m: Message<SiteEvent>): void {
    const now = this.o.now();
    switch (kind) {
      case 'round.ready': {
        const r = m as Message<'round.ready'>;
        const c = this.roundOf(site, kind, r);
        if (r.accepted && r.model_hash !== c.sentHash) throw new CoordinatorError('bad_message', `round.ready: model_hash is not the model of round ${c.round}`, 'model_hash');
        this.feed(r.accepted ? { type: 'site-ready', now, site } : { type: 'site-dropped', now, site, reason: `declined: ${r.reason}`, stage: 'configure' });
        return;
      }
      case 'fit.result': {
        const r = m as Message<'fit.result'>;
        const c = this.roundOf(site, kind, r);
        if (r.model_hash !== c.sentHash) throw new CoordinatorError('bad_message', `fit.result: trained from another model than round ${c.round}'s`, 'model_hash');
        if (c.state.phase !== 'training' || !c.state.training.includes(site) || c.state.finished.includes(site) || c.reports.has(site)) {
          this.feed({ type: 'fit-result', now, site }); // the machine answers with its reason (reject)
          return;
        }
        if ((r.update.mode === 'secure') !== c.secure)
          throw new CoordinatorError('bad_message', `fit.result: update mode '${r.update.mode}' but this round uses ${c.secure ? 'secure' : 'plaintext'} aggregation`, 'update.mode');
        if (c.secure && r.num_examples > this.o.secagg.maxWeight)
          throw new CoordinatorError('bad_message', `fit.result: num_examples ${r.num_examples} exceeds the secure-aggregation weight limit ${this.o.secagg.maxWeight}`, 'num_examples');
        c.reports.set(site, { numExamples: r.num_examples, metrics: r.metrics });
        if (r.features) c.features.set(site, r.features);
        void this.store.putMetrics({ run: this.id, round: c.round, site, kind: 'fit', numExamples: r.num_examples, value: { ...r.metrics, duration_s: r.duration_s }, now }).catch((e) => this.storeFailed(`fit metrics of ${site}`, c.round, e));
        if (r.update.mode === 'secure') this.feed({ type: 'fit-result', now, site });
        else c.uploads.set(r.update.model.transfer_id, { assembler: new ChunkAssembler(r.update.model.transfer_id, r.update.model.manifest.total_bytes), result: r });
        return;
      }
      case 'tensor.chunk': {
        const ch = m as Message<'tensor.chunk'>;
        const c = this.current;
        const up = c?.uploads.get(ch.transfer_id);
        if (!c || !up || up.result.site_id !== site) throw new CoordinatorError('out_of_order', `tensor.chunk: no upload '${ch.transfer_id}' is expected from this site`, 'transfer_id');
        up.assembler.add(ch);
        if (!up.assembler.complete) return;
        c.uploads.delete(ch.transfer_id);
        const model = (up.result.update as Extract<Message<'fit.result'>['update'], { mode: 'plaintext' }>).model;
        let params: Tensor[];
        try {
          params = decodeParameters(model.manifest, up.assembler.bytes());
        } catch (e) {
          this.feed({ type: 'site-dropped', now, site, reason: `unusable update: ${(e as Error).message}`, stage: 'fit' });
          throw new CoordinatorError('bad_message', `fit.result upload: ${(e as Error).message}`, 'model');
        }
        c.plaintext.set(site, { site, numExamples: up.result.num_examples, parameters: params, metrics: up.result.metrics });
        this.feed({ type: 'fit-result', now, site });
        return;
      }
      case 'evaluate.result': {
        const r = m as Message<'evaluate.result'>;
        const c = this.roundOf(site, kind, r);
        if (c.state.phase === 'evaluating' && c.state.evaluators.includes(site) && !c.state.evaluated.includes(site))
          void this.store.putMetrics({ run: this.id, round: c.round, site, kind: 'evaluate', numExamples: r.num_examples, value: { ...(r.loss !== undefined ? { loss: r.loss } : {}), evaluation: r.evaluation }, now }).catch((e) => this.storeFailed(`evaluation of ${site}`, c.round, e));
        this.feed({ type: 'evaluate-result', now, site });
        return;
      }
      case 'round.dropout': {
        const r = m as Message<'round.dropout'>;
        this.roundOf(site, kind, r);
        this.feed({ type: 'site-dropped', now, site, reason: `site left: ${r.reason}`, stage: r.stage });
        return;
      }
      default:
        return;
    }
  }

  handleSecAgg(site: string, env: ClientEnvelope): void {
    const c = this.roundOf(site, 'secagg', env);
    if (!c.secagg) throw new CoordinatorError('out_of_order', `secagg: round ${c.round} is ${c.state.phase}, secure aggregation has not started`, 'round');
    const msg = parseClientMessage(env, c.secaggN, c.secaggLength);
    try {
      c.secagg.accept(site, msg);
    } catch (e) {
      if (e instanceof SecAggError) throw new CoordinatorError('bad_message', `secagg: refused (${e.message})`, 'message');
      throw e;
    }
  }

  /** Whether a plaintext upload with this transfer id is expected (routes tensor.chunk frames). */
  hasUpload(transferId: string): boolean {
    return this.current?.uploads.has(transferId) ?? false;
  }

  siteDisconnected(site: string, reason: string): void {
    const c = this.current;
    if (!c) return;
    // inside secure aggregation the protocol records the stage the site was lost at
    if (c.secagg && c.state.phase === 'aggregating') return c.secagg.siteGone(site, reason);
    this.feed({ type: 'site-dropped', now: this.o.now(), site, reason });
  }
}
