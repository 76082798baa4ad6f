/**
 * `unbox-site join`: the site's side of federation over socket.io. The connection is outbound only;
 * socket.io reconnects with exponential back-off (1 s doubling to 30 s, ±50 % jitter). On every
 * connection the site proves its enrolled Ed25519 identity (signed challenge). Then it follows the
 * rounds: fetch and verify the global model (chunked, hash-checked), train with the pluggable
 * LocalTrainer, take part in secure aggregation (libs/secagg's client states; the update leaves the
 * site only masked), evaluate, and report metrics. No message it sends carries images or
 * per-patient data: only model updates (masked unless the run is in plaintext debug mode),
 * sample counts and aggregate metrics; and, only when the site opted in (site.json
 * share_features), a capped sample of pooled backbone features with class labels (and optional
 * noise) for the consortium t-SNE. Messages produced while the connection is down wait in a
 * bounded queue and leave after the next successful authentication, never before it. Each global
 * model the site evaluates is saved under <models-dir>/<task>/ once its round is done.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { applyReceived, decodeParameters, encodeParameters, updateVector, type Tensor } from '@unbox/fl';
import {
  AuthChallenge,
  AuthResult,
  ErrorMessage,
  EvaluateRequest,
  PROTOCOL_VERSION,
  RoundEnd,
  RoundStart,
  RoundTrain,
  Dropout,
  TensorChunk,
  authSigningPayload,
  pack,
  unpack,
  type FitConfig,
  type Message,
  type ModelOffer,
} from '@unbox/protocol';
import { ChunkAssembler } from '@unbox/protocol/transfer';
import { createClient, resolveParams, SecAggParamsSchema, sign, type ClientState, type ServerMessage } from '@unbox/secagg';
import { z } from 'zod';
import { AGENT_VERSION } from './enroll.js';
import { PeerKeys, type SiteIdentity } from './identity.js';
import { sharedFeatures } from './feature-sharing.js';
import { writeFileAtomic } from './atomic-file.js';
import { readLocal, writeLocal } from './local-state.js';
import type { LocalTrainer } from './trainer.js';

/** Secure-aggregation stages by the request that opens them (libs/secagg's names). */
export const REQUEST_STAGE = {
  'advertise-keys-request': 'advertise-keys',
  'share-keys-request': 'share-keys',
  'masked-input-request': 'masked-input',
  'consistency-check-request': 'consistency-check',
  'unmasking-request': 'unmasking',
} as const;
export type SecAggStage = (typeof REQUEST_STAGE)[keyof typeof REQUEST_STAGE];

const ServerEnvelope = z.object({ run_id: z.string(), round: z.number().int(), params: SecAggParamsSchema.optional(), json: z.string().max(64 << 20), blob: z.instanceof(Uint8Array) });
const Typed = z.object({ type: z.string() }).passthrough();

export interface AgentEvents {
  authenticated(): void;
  refused(reason: string): void;
  roundDone(run: string, round: number, modelHash: string): void;
  roundFailed(run: string, round: number, reason: string): void;
  error(e: Message<'error'>): void;
  log(level: 'info' | 'warn', line: string): void;
  modelSaved(dir: string, run: string, round: number): void;
}

export interface AgentOptions {
  identity: SiteIdentity;
  trainer: LocalTrainer;
  /** pin peers' keys in this file (trust on first use); null keeps them in memory */
  peersPath: string | null;
  /** the last aggregated round of each run (secure aggregation's replay guard) survives restarts here; null: memory only */
  statePath?: string | null;
  /** the site's own tensors (what FedBN and SiloBN keep at the site) survive restarts here (local-state.ts); null: memory only */
  localPath?: string | null;
  /** back-off of reconnection */
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  heartbeatMs?: number;
  /** stop reconnecting after a refusal of the identity (revoked, unknown) */
  stopOnRefusal?: boolean;
  /** consortium t-SNE opt-in (site.json share_features); absent or null: nothing is shared */
  shareFeatures?: { maxSamples: number; noiseSigma: number } | null;
  /** each global model evaluated here is saved under <modelsDir>/<task>/ when its round is done; null: not saved */
  modelsDir?: string | null;
  /** messages kept while disconnected (oldest dropped beyond this) */
  maxQueued?: number;
  /** test hook: vanish (disconnect, no reply) when the request of this secure-aggregation stage arrives */
  crashAt?: SecAggStage;
  on?: Partial<AgentEvents>;
}

interface RoundCtx {
  run: string;
  round: number;
  modelHash: string;
  config: FitConfig;
  secure: boolean;
  received: Tensor[] | null;
  model: Tensor[] | null;
  vector: Float64Array | null;
  numExamples: number;
  secagg: ClientState | null;
}

/** Sent before authentication (the handshake itself); everything else waits for it. */
const HANDSHAKE_EVENTS = new Set(['auth.hello', 'auth.response']);

const OUTBOUND_EVENTS = new Set(['auth.hello', 'auth.response', 'round.ready', 'fit.result', 'tensor.chunk', 'secagg', 'evaluate.result', 'round.dropout', 'heartbeat', 'error']);

export class SiteAgent {
  readonly socket: Socket;
  private round: RoundCtx | null = null;
  private local: Tensor[] | null;
  private readonly transfers = new Map<string, { assembler: ChunkAssembler; offer: ModelOffer; done(bytes: Uint8Array): void }>();
  private readonly lastRound = new Map<string, number>();
  private readonly peers: PeerKeys;
  private heartbeat: NodeJS.Timeout | null = null;
  private seq = 0;
  private stopped = false;
  private authed = false;
  private readonly outbox: { event: string; payload: unknown }[] = [];
  /** the global model evaluated in a round, saved once that round is done */
  private evaluated: { run: string; round: number; modelHash: string; model: Tensor[]; evaluation: Message<'evaluate.result'>['evaluation'] } | null = null;
  /** every event name this agent emitted (tests check that nothing else leaves) */
  readonly sentKinds = new Set<string>();

  constructor(
    url: string,
    private readonly o: AgentOptions,
  ) {
    this.local = o.trainer.initialLocal();
    if (this.local && o.localPath) {
      const saved = readLocal(o.localPath, this.local);
      this.local = saved.tensors;
      // a saved state that does not fit (another network, damaged files) is set aside, not fatal
      if (saved.problem) this.log('warn', `the site's own tensors were not restored, starting from its initial ones: ${saved.problem}`);
    }
    this.peers = new PeerKeys(o.peersPath);
    for (const [run, round] of Object.entries(readRounds(o.statePath ?? null))) this.lastRound.set(run, round);
    this.socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: o.reconnectDelayMs ?? 1000,
      reconnectionDelayMax: o.reconnectDelayMaxMs ?? 30_000,
      randomizationFactor: 0.5,
      autoConnect: false,
    });
    this.wire();
  }

  get siteId(): string {
    return this.o.identity.siteId;
  }

  start(): this {
    this.socket.connect();
    return this;
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.socket.disconnect();
  }

  private log(level: 'info' | 'warn', line: string): void {
    this.o.on?.log?.(level, `${this.siteId}: ${line}`);
  }

  /** Messages waiting for the next authentication. */
  get queued(): number {
    return this.outbox.length;
  }

  private emit(event: string, payload: unknown): void {
    if (!OUTBOUND_EVENTS.has(event)) throw new Error(`site agent: refusing to send '${event}'`);
    this.sentKinds.add(event);
    // socket.io would buffer it and flush it on reconnection before auth.hello, which the
    // coordinator refuses (and drops the connection): hold it until authenticated instead
    if (!HANDSHAKE_EVENTS.has(event) && !(this.authed && this.socket.connected)) {
      if (event === 'heartbeat') return;
      this.outbox.push({ event, payload });
      const max = this.o.maxQueued ?? 10_000;
      if (this.outbox.length > max) {
        const dropped = this.outbox.shift()!;
        this.log('warn', `outgoing queue full (${max}): dropped the oldest message (${dropped.event})`);
      }
      return;
    }
    this.socket.emit(event, payload);
  }

  private flush(): void {
    const waiting = this.outbox.splice(0);
    if (waiting.length > 0) this.log('info', `sending ${waiting.length} message(s) held while disconnected`);
    for (const m of waiting) this.socket.emit(m.event, m.payload);
  }

  private wire(): void {
    const s = this.socket;
    const id = this.o.identity;
    s.on('connect', () => {
      this.emit('auth.hello', { site_id: id.siteId, protocol: PROTOCOL_VERSION, agent_version: AGENT_VERSION } satisfies Message<'auth.hello'>);
    });
    s.on('disconnect', (reason) => {
      this.authed = false;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.round = null;
      this.transfers.clear();
      if (!this.stopped) this.log('warn', `disconnected (${reason}); reconnecting with back-off`);
      // a server-side disconnect is not retried by socket.io itself: retry unless refused
      if (reason === 'io server disconnect' && !this.stopped) setTimeout(() => !this.stopped && s.connect(), this.o.reconnectDelayMs ?? 1000);
    });
    s.on('auth.challenge', (data: unknown) => {
      const c = AuthChallenge.safeParse(data);
      if (!c.success) return this.log('warn', `invalid auth.challenge: ${c.error.issues[0].message}`);
      const signature = sign(id.secretKey, authSigningPayload(c.data, id.siteId));
      this.emit('auth.response', { site_id: id.siteId, nonce: c.data.nonce, signature: Buffer.from(signature).toString('base64') } satisfies Message<'auth.response'>);
    });
    s.on('auth.result', (data: unknown) => {
      const r = AuthResult.safeParse(data);
      if (!r.success) return;
      if (!r.data.ok) {
        this.log('warn', `coordinator refused this site: ${r.data.reason}`);
        if (this.o.stopOnRefusal ?? true) this.stop();
        this.o.on?.refused?.(r.data.reason);
        return;
      }
      this.log('info', 'authenticated');
      this.authed = true;
      this.flush();
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.sendHeartbeat(), this.o.heartbeatMs ?? 10_000);
      this.heartbeat.unref?.();
      this.o.on?.authenticated?.();
    });
    s.on('error', (data: unknown) => {
      const e = ErrorMessage.safeParse(data);
      if (e.success) {
        this.log('warn', `coordinator error ${e.data.code}: ${e.data.message}`);
        this.o.on?.error?.(e.data);
      }
    });
    s.on('tensor.chunk', (data: unknown) => this.guard('tensor.chunk', () => this.onChunk(data)));
    s.on('round.start', (data: unknown) => this.guard('round.start', () => this.onRoundStart(data)));
    s.on('round.train', (data: unknown) => this.guard('round.train', () => this.onTrain(data)));
    s.on('secagg', (data: unknown) => this.guard('secagg', () => this.onSecAgg(data)));
    s.on('evaluate.request', (data: unknown) => this.guard('evaluate.request', () => this.onEvaluate(data)));
    s.on('round.end', (data: unknown) => this.guard('round.end', () => this.onRoundEnd(data)));
    s.on('round.dropout', (data: unknown) => {
      const d = Dropout.safeParse(data);
      if (d.success && this.round && d.data.round === this.round.round) {
        this.log('warn', `dropped from round ${d.data.round} at ${d.data.stage}: ${d.data.reason}`);
        this.round = null;
      }
    });
  }

  private guard(kind: string, f: () => void | Promise<void>): void {
    Promise.resolve()
      .then(f)
      .catch((e: unknown) => {
        this.log('warn', `${kind}: ${(e as Error).message}`);
        this.emit('error', { code: 'bad_message', message: `${kind}: ${(e as Error).message}`.slice(0, 1024), kind });
      });
  }

  private sendHeartbeat(): void {
    const r = this.round;
    this.emit('heartbeat', { seq: this.seq++, sent_at: Date.now(), status: r ? 'training' : 'idle', ...(r ? { run_id: r.run, round: r.round } : {}) } satisfies Message<'heartbeat'>);
  }

  private receive(offer: ModelOffer, done: (bytes: Uint8Array) => void): void {
    this.transfers.set(offer.transfer_id, { assembler: new ChunkAssembler(offer.transfer_id, offer.manifest.total_bytes), offer, done });
  }

  private onChunk(data: unknown): void {
    const c = TensorChunk.safeParse(data);
    if (!c.success) throw new Error(`invalid tensor.chunk: ${c.error.issues[0].message}`);
    const t = this.transfers.get(c.data.transfer_id);
    if (!t) throw new Error(`tensor.chunk of unknown transfer '${c.data.transfer_id}'`);
    t.assembler.add(c.data);
    if (t.assembler.complete) {
      this.transfers.delete(c.data.transfer_id);
      t.done(t.assembler.bytes());
    }
  }

  private onRoundStart(data: unknown): void {
    const m = RoundStart.parse(data);
    const last = this.lastRound.get(m.run_id);
    const ctx: RoundCtx = { run: m.run_id, round: m.round, modelHash: m.model_hash, config: m.config, secure: m.secure_aggregation, received: null, model: null, vector: null, numExamples: 0, secagg: null };
    this.round = ctx;
    const ready = (accepted: boolean, reason?: string) =>
      this.emit('round.ready', { run_id: m.run_id, round: m.round, site_id: this.siteId, model_hash: m.model_hash, accepted, ...(reason ? { reason } : {}) } satisfies Message<'round.ready'>);
    if (last !== undefined && m.round <= last) return ready(false, `round ${m.round} of ${m.run_id} was already aggregated here (last ${last})`);
    this.receive(m.model, (bytes) => {
      try {
        // decodeParameters recomputes the model hash over the bytes: a corrupted or swapped model is refused
        ctx.received = decodeParameters(m.model.manifest, bytes);
        // SiloBN: the round's keep_local tensors (batch-norm statistics) stay the site's own
        ctx.model = this.local ? applyReceived(this.local, ctx.received, m.config.keep_local) : ctx.received;
        ready(true);
      } catch (e) {
        ready(false, `model refused: ${(e as Error).message}`.slice(0, 1024));
      }
    });
  }

  private async onTrain(data: unknown): Promise<void> {
    const m = RoundTrain.parse(data);
    const ctx = this.round;
    if (!ctx || ctx.run !== m.run_id || ctx.round !== m.round || !ctx.model || !ctx.received) throw new Error(`round.train for ${m.run_id}/${m.round}, which this site is not ready for`);
    const t0 = performance.now();
    // features under the global model of this round (the same network at every site), before local training
    const features = await this.featuresFor(ctx.model);
    if (this.round !== ctx) return;
    const out = await this.o.trainer.fit(ctx.model, ctx.received, ctx.config);
    if (this.round !== ctx) return;
    this.local = out.parameters;
    // only a strategy that keeps tensors at the site needs them after a restart (FedAvg sends them all)
    if (ctx.config.local_patterns?.length || ctx.config.keep_local?.length) this.saveLocal();
    ctx.numExamples = out.numExamples;
    const received = new Set(ctx.received.map((t) => t.name));
    const shared = (name: string) => received.has(name);
    const base = {
      run_id: ctx.run, round: ctx.round, site_id: this.siteId, model_hash: ctx.modelHash, num_examples: out.numExamples, metrics: out.metrics, duration_s: (performance.now() - t0) / 1000,
      ...(features ? { features } : {}),
    };
    if (ctx.secure) {
      ctx.vector = updateVector(ctx.received, out.parameters, 'deltas', shared);
      this.emit('fit.result', { ...base, update: { mode: 'secure' } } satisfies Message<'fit.result'>);
    } else {
      const { manifest, bytes } = encodeParameters(out.parameters.filter((t) => shared(t.name)));
      const transfer = `${ctx.run}.r${ctx.round}.up.${this.siteId}`.slice(0, 128);
      this.emit('fit.result', { ...base, update: { mode: 'plaintext', model: { transfer_id: transfer, manifest } } } satisfies Message<'fit.result'>);
      const { splitIntoChunks } = await import('@unbox/protocol/transfer');
      for (const c of splitIntoChunks(transfer, bytes)) this.emit('tensor.chunk', c);
    }
  }

  /** The opted-in feature sample (noise added), or null: not opted in, not supported, or it failed (the round goes on without it). */
  private async featuresFor(model: Tensor[]): Promise<Message<'fit.result'>['features'] | null> {
    const share = this.o.shareFeatures;
    if (!share || !this.o.trainer.featureSample) return null;
    try {
      return sharedFeatures(await this.o.trainer.featureSample(model, share.maxSamples), share.noiseSigma);
    } catch (e) {
      this.log('warn', `consortium t-SNE: no features shared this round: ${(e as Error).message}`);
      return null;
    }
  }

  private onSecAgg(data: unknown): void {
    const env = ServerEnvelope.parse(data);
    const message = Typed.parse(unpack(env));
    const ctx = this.round;
    const type = message.type as keyof typeof REQUEST_STAGE;
    if (this.o.crashAt && REQUEST_STAGE[type] === this.o.crashAt) {
      this.log('warn', `simulated crash at ${this.o.crashAt}`);
      this.stop();
      return;
    }
    if (!ctx || ctx.run !== env.run_id || ctx.round !== env.round || !ctx.vector) throw new Error(`secagg for ${env.run_id}/${env.round}, which this site has no update for`);
    if (type === 'advertise-keys-request') {
      if (!env.params) throw new Error('secagg: advertise-keys-request without parameters');
      const params = resolveParams(env.params);
      const roster = (message as { roster?: { id: string; signingKey: Uint8Array }[] }).roster ?? [];
      const directory = this.peers.directory(roster.map((r) => ({ id: String(r.id), signingKey: new Uint8Array(r.signingKey) })));
      // our own key comes from our identity, never from the coordinator
      directory.set(this.siteId, this.o.identity.publicKey);
      ctx.secagg = createClient(
        { identity: { id: this.siteId, publicKey: this.o.identity.publicKey, secretKey: this.o.identity.secretKey }, directory, params, run: ctx.run, round: ctx.round, modelHash: new Uint8Array(Buffer.from(ctx.modelHash, 'hex')), lastRound: this.lastRound.get(ctx.run) },
        ctx.vector,
        ctx.numExamples,
      );
    }
    if (!ctx.secagg) throw new Error(`secagg: ${type} before advertise-keys-request`);
    const step = ctx.secagg.handle(message as unknown as ServerMessage);
    ctx.secagg = step.state;
    if (!step.reply) return;
    if (step.reply.type === 'abort') this.log('warn', `secure aggregation aborted: ${step.reply.code}: ${step.reply.reason}`);
    this.emit('secagg', { run_id: ctx.run, round: ctx.round, ...pack(step.reply) });
  }

  private onEvaluate(data: unknown): void {
    const m = EvaluateRequest.parse(data);
    this.receive(m.model, (bytes) => {
      void (async () => {
        try {
          const received = decodeParameters(m.model.manifest, bytes);
          const model = this.local ? applyReceived(this.local, received, m.keep_local) : received;
          const out = await this.o.trainer.evaluate(model, m.splits);
          this.evaluated = { run: m.run_id, round: m.round, modelHash: m.model_hash, model, evaluation: out.evaluation };
          this.emit('evaluate.result', { run_id: m.run_id, round: m.round, site_id: this.siteId, model_hash: m.model_hash, num_examples: out.numExamples, ...(out.loss !== undefined ? { loss: out.loss } : {}), evaluation: out.evaluation } satisfies Message<'evaluate.result'>);
        } catch (e) {
          this.emit('round.dropout', { run_id: m.run_id, round: m.round, site_id: this.siteId, stage: 'evaluate', reason: `evaluation failed: ${(e as Error).message}`.slice(0, 1024) } satisfies Message<'round.dropout'>);
        }
      })();
    });
  }

  private onRoundEnd(data: unknown): void {
    const m = RoundEnd.parse(data);
    if (m.status === 'done') {
      this.lastRound.set(m.run_id, Math.max(m.round, this.lastRound.get(m.run_id) ?? 0));
      writeRounds(this.o.statePath ?? null, this.lastRound);
      this.saveEvaluated(m.run_id, m.round);
      this.o.on?.roundDone?.(m.run_id, m.round, m.model_hash);
    } else this.o.on?.roundFailed?.(m.run_id, m.round, m.reason);
    if (this.round && this.round.run === m.run_id && this.round.round === m.round) this.round = null;
  }

  /** The site's own tensors to disk; a failed write is logged, the round goes on (memory still holds them). */
  private saveLocal(): void {
    if (!this.o.localPath || !this.local) return;
    try {
      writeLocal(this.o.localPath, this.local);
    } catch (e) {
      this.log('warn', `the site's own tensors were not saved in ${this.o.localPath}: ${(e as Error).message}`);
    }
  }

  /** Saves the global model this site evaluated in a round that is now done (its round's model). */
  private saveEvaluated(run: string, round: number): void {
    const e = this.evaluated;
    const t = this.o.trainer;
    if (!e || e.run !== run || e.round !== round || !this.o.modelsDir || !t.saveModel || !t.task) return;
    this.evaluated = null;
    const dir = join(this.o.modelsDir, t.task);
    t.saveModel(e.model, dir, { run, round, modelHash: e.modelHash, evaluation: e.evaluation }).then(
      () => {
        this.log('info', `global model of ${run} round ${round} saved in ${dir}`);
        this.o.on?.modelSaved?.(dir, run, round);
      },
      (err: unknown) => this.log('warn', `global model of ${run} round ${round} not saved in ${dir}: ${(err as Error).message}`),
    );
  }
}

function readRounds(path: string | null): Record<string, number> {
  if (!path || !existsSync(path)) return {};
  const j = JSON.parse(readFileSync(path, 'utf8')) as { last_round?: Record<string, unknown> };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(j.last_round ?? {})) if (Number.isInteger(v)) out[k] = v as number;
  return out;
}

function writeRounds(path: string | null, rounds: ReadonlyMap<string, number>): void {
  if (path) writeFileAtomic(path, JSON.stringify({ last_round: Object.fromEntries(rounds) }, null, 1));
}
