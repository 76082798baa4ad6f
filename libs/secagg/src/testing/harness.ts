/**
 * Test harness: a round driven stage by stage with the real states, so a test can stop before any
 * stage and deliver a tampered (malicious-coordinator) message to one site. Not exported by index.
 */
import { createClient } from '../client/advertise-keys.js';
import type { ClientSetup, ClientState, ClientStep } from '../client/base.js';
import { resolveParams, type SecAggParams, type SecAggParamsInput } from '../config.js';
import { sha256 } from '../kdf.js';
import { generateIdentity, type SigningIdentity } from '../keys.js';
import type { AdvertiseKeysRequest, ClientMessage, ConsistencyCheckRequest, MaskedInputRequest, RosterEntry, ServerMessage, ShareKeysRequest, UnmaskingRequest } from '../messages.js';
import { ServerAdvertiseKeys } from '../server/advertise-keys.js';
import type { ServerConsistencyCheck } from '../server/consistency-check.js';
import type { ServerMaskedInputCollection } from '../server/masked-input.js';
import type { ServerShareKeys } from '../server/share-keys.js';
import type { AggregateResult, ServerUnmasking } from '../server/unmasking.js';

// identities are costly-ish to make and carry no round state: share them between tests
const identityCache: SigningIdentity[] = [];
export function identities(n: number): SigningIdentity[] {
  while (identityCache.length < n) identityCache.push(generateIdentity(`site-${String.fromCharCode(65 + (identityCache.length % 26))}${Math.floor(identityCache.length / 26) || ''}`));
  return identityCache.slice(0, n);
}

export interface HarnessOptions {
  n: number;
  length?: number;
  threshold?: number;
  params?: Partial<SecAggParamsInput>;
  run?: string;
  round?: number;
  updates?: (i: number) => ArrayLike<number>;
  weights?: (i: number) => number;
}

export class Harness {
  readonly ids: string[];
  readonly identities: SigningIdentity[];
  readonly params: SecAggParams;
  readonly roster: RosterEntry[];
  readonly directory: Map<string, Uint8Array>;
  readonly modelHash: Uint8Array;
  readonly run: string;
  readonly round: number;
  readonly updates: ArrayLike<number>[];
  readonly weights: number[];
  readonly clients = new Map<string, ClientState>();
  readonly replies = new Map<string, ClientMessage>();
  readonly server0: ServerAdvertiseKeys;
  req0!: AdvertiseKeysRequest;
  server1?: ServerShareKeys;
  req1?: ShareKeysRequest;
  server2?: ServerMaskedInputCollection;
  req2?: Map<string, MaskedInputRequest>;
  server3?: ServerConsistencyCheck;
  req3?: ConsistencyCheckRequest;
  server4?: ServerUnmasking;
  req4?: UnmaskingRequest;
  result?: AggregateResult;

  constructor(o: HarnessOptions) {
    this.identities = identities(o.n);
    this.ids = this.identities.map((i) => i.id);
    const length = o.length ?? 16;
    this.params = resolveParams({ length, clip: 1, maxWeight: 100, maxSites: 64, ...o.params });
    this.roster = this.identities.map((i) => ({ id: i.id, signingKey: i.publicKey }));
    this.directory = new Map(this.roster.map((r) => [r.id, r.signingKey]));
    this.run = o.run ?? 'run-test';
    this.round = o.round ?? 3;
    this.modelHash = sha256(new TextEncoder().encode('model'));
    this.updates = this.ids.map((_, i) => o.updates?.(i) ?? Float64Array.from({ length }, (_, j) => Math.sin(i * 7 + j) * 0.9));
    this.weights = this.ids.map((_, i) => o.weights?.(i) ?? i + 1);
    this.identities.forEach((identity, i) => this.clients.set(identity.id, createClient(this.setupFor(identity), this.updates[i], this.weights[i])));
    this.server0 = new ServerAdvertiseKeys({ run: this.run, round: this.round, modelHash: this.modelHash, roster: this.roster, params: this.params, threshold: o.threshold });
    this.req0 = this.server0.request();
  }

  setupFor(identity: SigningIdentity, extra: Partial<ClientSetup> = {}): ClientSetup {
    return { identity, directory: this.directory, params: this.params, run: this.run, round: this.round, modelHash: this.modelHash, ...extra };
  }

  /** Hand one message to one site and keep its next state. */
  deliver(id: string, message: ServerMessage | unknown): ClientStep {
    const step = this.clients.get(id)!.handle(message);
    this.clients.set(id, step.state);
    if (step.reply) this.replies.set(id, step.reply);
    return step;
  }

  private exchange(ids: Iterable<string>, msg: (id: string) => unknown, accept: (m: ClientMessage) => void, skip: readonly string[]) {
    for (const id of ids) {
      if (skip.includes(id)) continue;
      const step = this.deliver(id, msg(id));
      if (step.reply) accept(step.reply);
    }
  }

  advertise(skip: readonly string[] = []): this {
    this.exchange(this.ids, () => this.req0, (m) => this.server0.accept(m), skip);
    const c = this.server0.close();
    this.server1 = c.state;
    this.req1 = c.broadcast;
    return this;
  }

  shareKeys(skip: readonly string[] = []): this {
    this.exchange(this.req1!.advertised.map((a) => a.id), () => this.req1, (m) => this.server1!.accept(m), skip);
    const c = this.server1!.close();
    this.server2 = c.state;
    this.req2 = c.messages;
    return this;
  }

  maskedInput(skip: readonly string[] = []): this {
    this.exchange(this.req2!.keys(), (id) => this.req2!.get(id), (m) => this.server2!.accept(m), skip);
    const c = this.server2!.close();
    this.server3 = c.state;
    this.req3 = c.broadcast;
    return this;
  }

  consistency(skip: readonly string[] = []): this {
    this.exchange(this.req3!.survivors, () => this.req3, (m) => this.server3!.accept(m), skip);
    const c = this.server3!.close();
    this.server4 = c.state;
    this.req4 = c.broadcast;
    return this;
  }

  unmask(skip: readonly string[] = []): this {
    this.exchange(this.req4!.signatures.map((s) => s.id), () => this.req4, (m) => this.server4!.accept(m), skip);
    this.result = this.server4!.close().result;
    return this;
  }

  /** Σ w·clip(x) over the given sites, in float64. */
  exactWeightedSum(sites: readonly string[]): Float64Array {
    const out = new Float64Array(this.params.length);
    for (const id of sites) {
      const i = this.ids.indexOf(id);
      for (let j = 0; j < out.length; j++) out[j] += this.weights[i] * Math.max(-this.params.clip, Math.min(this.params.clip, this.updates[i][j]));
    }
    return out;
  }
}

/** Asserts a step is a refusal and returns it (for code/reason checks). */
export function refusal(step: ClientStep): { code: string; reason: string; keys: string[] } {
  if (!['aborted', 'completed'].includes(step.state.stage) || !step.reply || step.reply.type !== 'abort') throw new Error(`expected an abort, got ${step.reply?.type} in state ${step.state.stage}`);
  return { code: step.reply.code, reason: step.reply.reason, keys: Object.keys(step.reply) };
}
