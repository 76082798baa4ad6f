/**
 * Secure-aggregation messages on the socket. @unbox/secagg's own schemas check shapes but set no
 * size limits, so every site → coordinator message is first checked here against limits derived
 * from the round (roster size n, vector length P), and its binary fields are normalised: socket.io
 * delivers Buffers, and the masked vector travels as the little-endian bytes of its Uint32 words.
 *
 * Envelope (event `secagg`): site → coordinator `{ run_id, round, json, blob }`;
 * coordinator → site `{ run_id, round, params?, json, blob }` (params with the first request only),
 * where json + blob is the message packed by @unbox/protocol's binary-pack.ts (one socket.io attachment).
 */
import { LIMITS, ProtocolError, RoundNumber, RunId, protocolErrorFrom, unpack, type Packed } from '@unbox/protocol';
import type { ClientMessage } from '@unbox/secagg';
import { z } from 'zod';

const MAX_BOX_BYTES = 1024;
const bin = (exact?: number, max?: number) =>
  z
    .instanceof(Uint8Array, { error: 'expected binary data' })
    .refine((b) => exact === undefined || b.byteLength === exact, `must be ${exact} bytes`)
    .refine((b) => max === undefined || b.byteLength <= max, `too large (max ${max} bytes)`);
const Id = z.string().min(1).max(LIMITS.id, `too long (max ${LIMITS.id} characters)`);

/** The schema of one inbound message for a round of n sites and P parameters. */
export function clientMessageSchema(n: number, length: number) {
  const list = <T extends z.ZodType>(item: T) => z.array(item).max(n, `too many items (max ${n}, the roster size)`);
  const share = z.strictObject({ of: Id, share: bin(32) });
  return z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('advertise-keys'), from: Id, encryptionKey: bin(32), maskingKey: bin(32), signature: bin(64) }),
    z.strictObject({
      type: z.literal('share-keys'),
      sessionId: bin(32),
      from: Id,
      selfMaskCommitment: bin(32),
      shares: list(z.strictObject({ from: Id, to: Id, nonce: bin(24), box: bin(undefined, MAX_BOX_BYTES) })),
    }),
    z.strictObject({
      type: z.literal('masked-input'),
      sessionId: bin(32),
      from: Id,
      masked: z.instanceof(Uint32Array, { error: 'expected 32-bit words' }).refine((w) => w.length === length + 1, `must be ${length + 1} words`),
    }),
    z.strictObject({ type: z.literal('consistency-signature'), sessionId: bin(32), from: Id, signature: bin(64) }),
    z.strictObject({ type: z.literal('unmasking'), sessionId: bin(32), from: Id, maskKeyShares: list(share), selfMaskShares: list(share) }),
    z.strictObject({
      type: z.literal('abort'),
      from: Id,
      sessionId: bin(32).optional(),
      code: z.string().max(64, 'too long (max 64 characters)'),
      reason: z.string().max(LIMITS.text, `too long (max ${LIMITS.text} characters)`),
    }),
  ]);
}

/** Packed JSON is small (ids and references); the blob is bounded by socket.io's message limit. */
export const MAX_PACKED_JSON = 1 << 20;
export const ClientEnvelope = z.strictObject({
  run_id: RunId,
  round: RoundNumber,
  json: z.string().max(MAX_PACKED_JSON, `too long (max ${MAX_PACKED_JSON} characters)`),
  blob: z.instanceof(Uint8Array, { error: 'expected binary data' }),
});
export type ClientEnvelope = z.infer<typeof ClientEnvelope>;

/** Validates an inbound message against the round's limits; throws a ProtocolError naming the field. */
export function parseClientMessage(env: Packed, n: number, length: number): ClientMessage {
  let data: unknown;
  try {
    data = unpack(env);
  } catch (e) {
    throw new ProtocolError('secagg', 'json', `unreadable packed message: ${(e as Error).message}`);
  }
  const r = clientMessageSchema(n, length).safeParse(data);
  if (!r.success) {
    const e = protocolErrorFrom('secagg', r.error);
    throw new ProtocolError('secagg', e.field ? `message.${e.field}` : 'message', e.reason, e.code);
  }
  return r.data as ClientMessage;
}
