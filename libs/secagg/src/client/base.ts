/**
 * The client side is one class per protocol state (as in Google's fcp/secagg). Each state accepts
 * exactly one kind of server message; anything else, and every failed check, moves the client to
 * ClientAborted with an Abort reply that names the reason and carries no secret material.
 */
import type { SecAggParams } from '../config.js';
import { SecAggError, type SecAggErrorCode } from '../errors.js';
import type { SigningIdentity } from '../keys.js';
import { ServerMessage, type Abort, type ClientMessage } from '../messages.js';

export type ClientStage = 'advertise-keys' | 'share-keys' | 'masked-input-collection' | 'consistency-check' | 'unmasking' | 'completed' | 'aborted';

export interface ClientStep {
  state: ClientState;
  /** what the site sends back (null: nothing) */
  reply: ClientMessage | null;
}

export interface ClientState {
  readonly stage: ClientStage;
  handle(message: unknown): ClientStep;
}

/** What a site knows before the round starts (from enrollment, the run config and its training). */
export interface ClientSetup {
  identity: SigningIdentity;
  /** enrolled Ed25519 public keys of every site, by id (from enrollment, not from the coordinator) */
  directory: ReadonlyMap<string, Uint8Array>;
  params: SecAggParams;
  run: string;
  round: number;
  /** SHA-256 of the global model this site trained from */
  modelHash: Uint8Array;
  /** highest round of this run this site already aggregated in (replay guard), if any */
  lastRound?: number;
}

/** Everything secret a state holds, so an abort or the end of the round can wipe it. */
export type Secrets = (Uint8Array | Uint32Array)[];

export function wipe(secrets: Secrets): void {
  for (const s of secrets) s.fill(0);
}

export class ClientAborted implements ClientState {
  readonly stage = 'aborted';
  constructor(
    readonly code: SecAggErrorCode,
    readonly reason: string,
    private readonly id: string,
  ) {}
  handle(): ClientStep {
    return { state: this, reply: { type: 'abort', from: this.id, code: 'finished', reason: `already aborted (${this.code}: ${this.reason})` } };
  }
}

export class ClientCompleted implements ClientState {
  readonly stage = 'completed';
  constructor(private readonly id: string) {}
  handle(message: unknown): ClientStep {
    const type = (message as { type?: unknown } | null)?.type;
    return { state: this, reply: { type: 'abort', from: this.id, code: 'finished', reason: `round already completed; refusing ${String(type)}` } };
  }
}

/** Parses, dispatches on the one accepted type, and turns every failure into an abort. */
export abstract class ClientStateBase<T extends ServerMessage['type']> implements ClientState {
  abstract readonly stage: ClientStage;
  protected abstract readonly accepts: T;
  protected abstract readonly id: string;
  protected abstract readonly sessionId: Uint8Array | undefined;
  protected abstract readonly secrets: Secrets;
  protected abstract onMessage(m: Extract<ServerMessage, { type: T }>): ClientStep;

  handle(message: unknown): ClientStep {
    const parsed = ServerMessage.safeParse(message);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return this.abort(new SecAggError('malformed-message', `${i.path.join('.') || 'message'}: ${i.message}`));
    }
    if (parsed.data.type !== this.accepts)
      return this.abort(new SecAggError('unexpected-message', `in state ${this.stage} only ${this.accepts} is accepted, got ${parsed.data.type}`));
    try {
      return this.onMessage(parsed.data as Extract<ServerMessage, { type: T }>);
    } catch (e) {
      if (e instanceof SecAggError) return this.abort(e);
      return this.abort(new SecAggError('malformed-message', (e as Error).message));
    }
  }

  protected abort(e: SecAggError): ClientStep {
    wipe(this.secrets);
    const reason = e.message.slice(e.code.length + 2);
    const reply: Abort = { type: 'abort', from: this.id, code: e.code, reason };
    if (this.sessionId) reply.sessionId = this.sessionId;
    return { state: new ClientAborted(e.code, reason, this.id), reply };
  }
}

export function fail(code: SecAggErrorCode, message: string): never {
  throw new SecAggError(code, message);
}
