import type { z } from 'zod';
import { ModelVersionList, RunControl, SiteAddRequest, SiteAddResponse, SiteList, SiteRevokeRequest } from './admin.js';
import { AuthChallenge, AuthHello, AuthResponse, AuthResult } from './auth.js';
import { EnrollRequest, EnrollResponse } from './enrollment.js';
import { Dropout, EvaluateRequest, EvaluateResult, FitResult, RoundEnd, RoundReady, RoundStart, RoundTrain } from './round.js';
import { RunConfig } from './run-config.js';
import { ErrorMessage, Heartbeat, type ErrorCode } from './session.js';
import { RunSummary } from './summary.js';
import { ConsortiumTsne, RoundList } from './consortium-view.js';
import { TensorChunk } from './tensor-frame.js';

/** Every message kind on the wire (the socket.io event name, or the REST body it describes). */
export const MESSAGES = {
  'enroll.request': EnrollRequest,
  'enroll.response': EnrollResponse,
  'auth.hello': AuthHello,
  'auth.challenge': AuthChallenge,
  'auth.response': AuthResponse,
  'auth.result': AuthResult,
  'run.config': RunConfig,
  'round.start': RoundStart,
  'round.ready': RoundReady,
  'round.train': RoundTrain,
  'fit.result': FitResult,
  'evaluate.request': EvaluateRequest,
  'evaluate.result': EvaluateResult,
  'round.dropout': Dropout,
  'round.end': RoundEnd,
  'tensor.chunk': TensorChunk,
  heartbeat: Heartbeat,
  error: ErrorMessage,
  'site.add': SiteAddRequest,
  'site.added': SiteAddResponse,
  'site.list': SiteList,
  'site.revoke': SiteRevokeRequest,
  'run.control': RunControl,
  'run.summary': RunSummary,
  'model.versions': ModelVersionList,
  'run.rounds': RoundList,
  'round.tsne': ConsortiumTsne,
} as const satisfies Record<string, z.ZodType>;

export type MessageKind = keyof typeof MESSAGES;
export type Message<K extends MessageKind> = z.output<(typeof MESSAGES)[K]>;
export const MESSAGE_KINDS = Object.keys(MESSAGES) as MessageKind[];

export function isMessageKind(kind: unknown): kind is MessageKind {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES, kind);
}

/** A refused message: `field` is the dotted path of the first bad field ('' for the whole message). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(
    readonly kind: string,
    readonly field: string,
    readonly reason: string,
    readonly code: ErrorCode = 'bad_message',
  ) {
    super(`${kind}: ${field === '' ? 'message' : `field '${field}'`}: ${reason}`);
  }

  /** The `error` message to send back to the peer. */
  toWire(): Message<'error'> {
    return { code: this.code, message: this.message.slice(0, 1024), kind: this.kind.slice(0, 64), field: this.field.slice(0, 256) };
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'symbol' ? p.toString() : String(p))).join('.');
}

/** Turns zod's first issue into an error naming the field. */
export function protocolErrorFrom(kind: string, error: z.ZodError): ProtocolError {
  const issue = error.issues[0];
  let path = [...issue.path];
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    reason = `unknown field (allowed fields are fixed by the protocol)`;
  }
  // Oversized strings, arrays and payloads (not numbers out of range) are reported as too_large.
  const tooLarge =
    (issue.code === 'too_big' && !['number', 'bigint', 'date'].includes(issue.origin)) ||
    /too (large|long|many)|rank too high/.test(reason);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return new ProtocolError(kind, pathText(path), reason + more, tooLarge ? 'too_large' : 'bad_message');
}

/** Validates an untrusted message of a known kind. Never throws. */
export function parseMessage<K extends MessageKind>(kind: K, data: unknown): ParseResult<Message<K>>;
export function parseMessage(kind: string, data: unknown): ParseResult<unknown>;
export function parseMessage(kind: string, data: unknown): ParseResult<unknown> {
  if (!isMessageKind(kind))
    return { ok: false, error: new ProtocolError(String(kind).slice(0, 64), '', `unknown message kind (known: ${MESSAGE_KINDS.join(', ')})`, 'unknown_kind') };
  const result = MESSAGES[kind].safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, error: protocolErrorFrom(kind, result.error) };
}

/** As parseMessage, but throws the ProtocolError. */
export function parseMessageOrThrow<K extends MessageKind>(kind: K, data: unknown): Message<K> {
  const r = parseMessage(kind, data);
  if (!r.ok) throw r.error;
  return r.value;
}
