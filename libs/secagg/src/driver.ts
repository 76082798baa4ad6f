/**
 * In-memory driver: runs one whole round for n sites through the real client and server state
 * machines, passing messages by reference, with chosen sites dropping out before any stage.
 * Used by the tests and the benchmark; the socket transport in apps/ replaces only the delivery.
 */
import { createClient } from './client/advertise-keys.js';
import type { ClientSetup, ClientState } from './client/base.js';
import { resolveParams, type SecAggParamsInput } from './config.js';
import { sha256 } from './kdf.js';
import type { SigningIdentity } from './keys.js';
import { messageBytes, type ClientMessage, type ServerMessage } from './messages.js';
import type { RandomWords } from './quantize.js';
import { ServerAdvertiseKeys } from './server/advertise-keys.js';
import type { AggregateResult } from './server/unmasking.js';

export const STAGES = ['advertise-keys', 'share-keys', 'masked-input', 'consistency-check', 'unmasking'] as const;
export type Stage = (typeof STAGES)[number];

export interface DriverSite {
  identity: SigningIdentity;
  update: ArrayLike<number>;
  /** sample count */
  weight: number;
}

export interface DriverOptions {
  params: SecAggParamsInput;
  sites: DriverSite[];
  run?: string;
  round?: number;
  modelHash?: Uint8Array;
  threshold?: number;
  /** sites that vanish before sending their message of the stage (and never come back) */
  dropouts?: Partial<Record<Stage, readonly string[]>>;
  random?: RandomWords;
  now?: () => number;
}

export interface DriverReport {
  result: AggregateResult;
  /** wall-clock time each site spent in the protocol (quantisation included) */
  clientMs: Map<string, number>;
  /** wall-clock time the coordinator spent accepting messages and closing stages */
  coordinatorMs: number;
  /** the same as process CPU time (user + system): less sensitive to a busy machine */
  clientCpuMs: Map<string, number>;
  coordinatorCpuMs: number;
  /** payload bytes each site sent over the whole round */
  bytesSent: Map<string, number>;
  /** final state of every client */
  clients: Map<string, ClientState>;
}

export function runInMemoryRound(o: DriverOptions): DriverReport {
  const now = o.now ?? (() => performance.now());
  const params = resolveParams(o.params);
  const run = o.run ?? 'run-in-memory';
  const round = o.round ?? 1;
  const modelHash = o.modelHash ?? sha256(new TextEncoder().encode(`${run}/${round}`));
  const roster = o.sites.map((s) => ({ id: s.identity.id, signingKey: s.identity.publicKey }));
  const directory = new Map(roster.map((r) => [r.id, r.signingKey]));
  const clientMs = new Map<string, number>();
  const clientCpuMs = new Map<string, number>();
  const bytesSent = new Map<string, number>();
  const clients = new Map<string, ClientState>();
  let coordinatorMs = 0;
  let coordinatorCpuMs = 0;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const timed = <T>(f: () => T, add: (ms: number, cpuMs: number) => void): T => {
    const t0 = now();
    const c0 = cpu();
    const r = f();
    add(now() - t0, cpu() - c0);
    return r;
  };
  const addClient = (id: string) => (ms: number, cpuMs: number) => {
    clientMs.set(id, (clientMs.get(id) ?? 0) + ms);
    clientCpuMs.set(id, (clientCpuMs.get(id) ?? 0) + cpuMs);
  };
  const addServer = (ms: number, cpuMs: number) => {
    coordinatorMs += ms;
    coordinatorCpuMs += cpuMs;
  };

  for (const s of o.sites) {
    const setup: ClientSetup = { identity: s.identity, directory, params, run, round, modelHash };
    clients.set(s.identity.id, timed(() => createClient(setup, s.update, s.weight, o.random), addClient(s.identity.id)));
    bytesSent.set(s.identity.id, 0);
  }
  const gone = new Set<string>();

  /** deliver to every live recipient, hand the replies to the server */
  const exchange = (stage: Stage, to: Iterable<string>, message: (id: string) => ServerMessage, accept: (m: ClientMessage) => void) => {
    for (const id of o.dropouts?.[stage] ?? []) gone.add(id);
    for (const id of to) {
      if (gone.has(id)) continue;
      const step = timed(() => clients.get(id)!.handle(message(id)), addClient(id));
      clients.set(id, step.state);
      if (!step.reply) continue;
      bytesSent.set(id, bytesSent.get(id)! + messageBytes(step.reply));
      if (step.reply.type === 'abort') gone.add(id);
      timed(() => accept(step.reply!), addServer);
    }
  };

  const s0 = timed(() => new ServerAdvertiseKeys({ run, round, modelHash, roster, params, threshold: o.threshold }), addServer);
  const req0 = s0.request();
  exchange('advertise-keys', clients.keys(), () => req0, (m) => s0.accept(m));
  const c0 = timed(() => s0.close(), addServer);
  exchange('share-keys', c0.broadcast.advertised.map((a) => a.id), () => c0.broadcast, (m) => c0.state.accept(m));
  const c1 = timed(() => c0.state.close(), addServer);
  exchange('masked-input', c1.messages.keys(), (id) => c1.messages.get(id)!, (m) => c1.state.accept(m));
  const c2 = timed(() => c1.state.close(), addServer);
  exchange('consistency-check', c2.broadcast.survivors, () => c2.broadcast, (m) => c2.state.accept(m));
  const c3 = timed(() => c2.state.close(), addServer);
  exchange('unmasking', c3.broadcast.signatures.map((s) => s.id), () => c3.broadcast, (m) => c3.state.accept(m));
  const c4 = timed(() => c3.state.close(), addServer);
  return { result: c4.result, clientMs, coordinatorMs, clientCpuMs, coordinatorCpuMs, bytesSent, clients };
}
