/**
 * The coordinator's side of one secure-aggregation round over a live transport: sends each stage's
 * request, collects replies (already limit-checked by wire.ts), and closes a stage as soon as every
 * site still expected has answered or left, or when the stage's timeout passes. A site whose
 * message the protocol refuses is counted as dropped at that stage. The result is the unmasked sum
 * of the survivors (U3) and the list of dropouts with the protocol's stage names in the wire form.
 */
import type { DropStage } from '@unbox/protocol';
import {
  ServerAdvertiseKeys,
  SecAggError,
  type AggregateResult,
  type ClientMessage,
  type RosterEntry,
  type SecAggParams,
  type ServerMessage,
} from '@unbox/secagg';

/** libs/secagg names stages with hyphens; the protocol's DropStage uses underscores. */
export const WIRE_STAGE: Record<string, DropStage> = {
  'advertise-keys': 'advertise_keys',
  'share-keys': 'share_keys',
  'masked-input-collection': 'masked_input',
  'consistency-check': 'consistency_check',
  unmasking: 'unmasking',
};

export interface SecAggDrop {
  site: string;
  stage: DropStage;
  reason: string;
}

export interface SecAggRoundOptions {
  run: string;
  round: number;
  modelHash: Uint8Array;
  roster: RosterEntry[];
  params: SecAggParams;
  threshold: number;
  stageTimeoutMs: number;
  /** deliver one request to one site (the envelope is added by the caller) */
  send(site: string, message: ServerMessage, first: boolean): void;
  log?(line: string): void;
}

interface Stage {
  readonly stage: string;
  accept(m: unknown): void;
}

export class SecAggRound {
  private state: Stage & { close(): unknown };
  private expected = new Set<string>();
  private answered = new Set<string>();
  private readonly gone = new Map<string, string>();
  private readonly drops: SecAggDrop[] = [];
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  private settle!: { resolve(r: { result: AggregateResult; drops: SecAggDrop[] }): void; reject(e: Error): void };
  readonly done: Promise<{ result: AggregateResult; drops: SecAggDrop[] }>;

  constructor(private readonly o: SecAggRoundOptions) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // the promise may be awaited late; a rejection must not count as unhandled meanwhile
    this.done.catch(() => undefined);
    const server = new ServerAdvertiseKeys({ run: o.run, round: o.round, modelHash: o.modelHash, roster: o.roster, params: o.params, threshold: o.threshold });
    this.state = server;
    const req = server.request();
    this.open(o.roster.map((r) => r.id), () => req, true);
  }

  get stage(): string {
    return this.state.stage;
  }

  /** A message from a site; throws a SecAggError when the protocol refuses it (the site is then dropped). */
  accept(site: string, m: ClientMessage): void {
    if (this.finished) throw new SecAggError('finished', 'secure aggregation of this round is over');
    if (m.from !== site) {
      this.drop(site, `sent a message claiming to be '${m.from}'`);
      throw new SecAggError('unknown-site', `message names '${m.from}' but the connection is '${site}'`);
    }
    try {
      this.state.accept(m);
    } catch (e) {
      if (e instanceof SecAggError && e.code !== 'duplicate') this.drop(site, e.message);
      throw e;
    }
    if (m.type === 'abort') this.recordDrop(site, `aborted: ${m.code}: ${m.reason}`);
    this.answered.add(site);
    this.maybeAdvance();
  }

  /** The site disconnected or was dropped by the round. */
  siteGone(site: string, reason: string): void {
    if (this.finished || this.gone.has(site)) return;
    this.gone.set(site, reason);
    if (this.expected.has(site) && !this.answered.has(site)) this.recordDrop(site, reason);
    this.maybeAdvance();
  }

  cancel(reason: string): void {
    this.finish(new Error(reason));
  }

  private drop(site: string, reason: string): void {
    this.gone.set(site, reason);
    this.recordDrop(site, reason);
  }

  private recordDrop(site: string, reason: string): void {
    if (this.drops.some((d) => d.site === site)) return;
    this.drops.push({ site, stage: WIRE_STAGE[this.state.stage] ?? 'aggregate', reason });
  }

  private open(sites: string[], message: (id: string) => ServerMessage, first = false): void {
    this.expected = new Set(sites);
    this.answered = new Set();
    for (const id of sites) {
      if (this.gone.has(id)) {
        this.recordDrop(id, this.gone.get(id)!);
        continue;
      }
      this.o.send(id, message(id), first);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.advance('timeout'), this.o.stageTimeoutMs);
    this.timer.unref?.();
    // everybody may already be gone
    queueMicrotask(() => this.maybeAdvance());
  }

  private maybeAdvance(): void {
    if (this.finished) return;
    for (const id of this.expected) if (!this.answered.has(id) && !this.gone.has(id)) return;
    this.advance('all answered');
  }

  private advance(why: string): void {
    if (this.finished) return;
    if (why === 'timeout') for (const id of this.expected) if (!this.answered.has(id) && !this.gone.has(id)) this.drop(id, 'timeout');
    try {
      const closed = this.state.close() as {
        state: Stage & { close(): unknown };
        broadcast?: ServerMessage;
        messages?: Map<string, ServerMessage>;
        result?: AggregateResult;
      };
      this.o.log?.(`secagg ${this.o.run}/${this.o.round}: ${this.state.stage} closed (${why})`);
      if (closed.result) return this.finish(null, closed.result);
      this.state = closed.state;
      if (closed.messages) {
        const msgs = closed.messages;
        this.open([...msgs.keys()], (id) => msgs.get(id)!);
      } else {
        const b = closed.broadcast!;
        const to =
          b.type === 'share-keys-request'
            ? b.advertised.map((a) => a.id)
            : b.type === 'consistency-check-request'
              ? b.survivors
              : b.type === 'unmasking-request'
                ? b.signatures.map((s) => s.id)
                : [];
        this.open(to, () => b);
      }
    } catch (e) {
      this.finish(e as Error);
    }
  }

  private finish(error: Error | null, result?: AggregateResult): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    if (error) this.settle.reject(error);
    else this.settle.resolve({ result: result!, drops: this.drops });
  }
}
