/**
 * Every message of the protocol as a zod schema: plain objects with Uint8Array / Uint32Array
 * fields, so any transport (libs/protocol re-exports these) can frame them as binary.
 * Server → client messages are requests named after the stage they open; client → server
 * messages are the site's contribution to that stage, or an abort that says why.
 */
import { z } from 'zod';
import { SECAGG_ERROR_CODES } from './errors.js';

// z.custom keeps the type Uint8Array<ArrayBufferLike>, so Buffers and views are accepted as they are
const bytes = (len?: number) =>
  z
    .custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'must be a Uint8Array' })
    .refine((b) => len === undefined || b.length === len, { message: `must be ${len} bytes` });

export const SiteId = z.string().min(1).max(128);
const Sid = bytes(32); // session id = SHA-256(run, round, model hash, params, roster, advertised keys)

export const RosterEntry = z.object({ id: SiteId, signingKey: bytes(32) });
export type RosterEntry = z.infer<typeof RosterEntry>;

// ---- server → client -------------------------------------------------------------------------
export const AdvertiseKeysRequest = z.object({
  type: z.literal('advertise-keys-request'),
  run: z.string().min(1),
  round: z.number().int().min(0),
  modelHash: bytes(32),
  threshold: z.number().int(),
  roster: z.array(RosterEntry).min(2).max(255),
});

export const AdvertisedKeys = z.object({
  id: SiteId,
  /** c^PK: X25519 key for encrypting shares */
  encryptionKey: bytes(32),
  /** s^PK: X25519 key for pairwise masks */
  maskingKey: bytes(32),
  /** Ed25519 over (run, round, model hash, id, c^PK, s^PK) */
  signature: bytes(64),
});
export type AdvertisedKeys = z.infer<typeof AdvertisedKeys>;

export const ShareKeysRequest = z.object({
  type: z.literal('share-keys-request'),
  run: z.string().min(1),
  round: z.number().int().min(0),
  modelHash: bytes(32),
  advertised: z.array(AdvertisedKeys),
});

export const EncryptedShare = z.object({ from: SiteId, to: SiteId, nonce: bytes(24), box: bytes() });
export type EncryptedShare = z.infer<typeof EncryptedShare>;

export const MaskedInputRequest = z.object({
  type: z.literal('masked-input-request'),
  sessionId: Sid,
  /** the ciphertexts addressed to this site, one per other site that shared keys (U2) */
  shares: z.array(EncryptedShare),
});

export const ConsistencyCheckRequest = z.object({
  type: z.literal('consistency-check-request'),
  sessionId: Sid,
  /** U3: the sites whose masked input the server holds */
  survivors: z.array(SiteId),
});

export const SurvivorSignature = z.object({ id: SiteId, signature: bytes(64) });

export const UnmaskingRequest = z.object({
  type: z.literal('unmasking-request'),
  sessionId: Sid,
  /** U2 \ U3 as the server claims it: sites whose mask key is to be reconstructed */
  dropped: z.array(SiteId),
  /** U4: each site's signature over the survivor list U3 */
  signatures: z.array(SurvivorSignature),
});

export const ServerMessage = z.discriminatedUnion('type', [AdvertiseKeysRequest, ShareKeysRequest, MaskedInputRequest, ConsistencyCheckRequest, UnmaskingRequest]);
export type ServerMessage = z.infer<typeof ServerMessage>;

// ---- client → server -------------------------------------------------------------------------
export const AdvertiseKeys = AdvertisedKeys.omit({ id: true }).extend({ type: z.literal('advertise-keys'), from: SiteId });

export const ShareKeys = z.object({
  type: z.literal('share-keys'),
  sessionId: Sid,
  from: SiteId,
  /** SHA-256(session, site, b): lets the server detect a wrong reconstruction of the self-mask seed */
  selfMaskCommitment: bytes(32),
  shares: z.array(EncryptedShare),
});

export const MaskedInput = z.object({
  type: z.literal('masked-input'),
  sessionId: Sid,
  from: SiteId,
  masked: z.custom<Uint32Array>((v) => v instanceof Uint32Array, { message: 'must be a Uint32Array' }),
});

export const ConsistencySignature = z.object({ type: z.literal('consistency-signature'), sessionId: Sid, from: SiteId, signature: bytes(64) });

export const RevealedShare = z.object({ of: SiteId, share: bytes(32) });
export const Unmasking = z.object({
  type: z.literal('unmasking'),
  sessionId: Sid,
  from: SiteId,
  /** shares of s^SK for the sites that dropped before masked input (U2 \ U3) */
  maskKeyShares: z.array(RevealedShare),
  /** shares of the self-mask seed b for the survivors (U3) */
  selfMaskShares: z.array(RevealedShare),
});

export const Abort = z.object({
  type: z.literal('abort'),
  from: SiteId,
  sessionId: Sid.optional(),
  code: z.enum(SECAGG_ERROR_CODES),
  reason: z.string(),
});

export const ClientMessage = z.discriminatedUnion('type', [AdvertiseKeys, ShareKeys, MaskedInput, ConsistencySignature, Unmasking, Abort]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type AdvertiseKeysRequest = z.infer<typeof AdvertiseKeysRequest>;
export type ShareKeysRequest = z.infer<typeof ShareKeysRequest>;
export type MaskedInputRequest = z.infer<typeof MaskedInputRequest>;
export type ConsistencyCheckRequest = z.infer<typeof ConsistencyCheckRequest>;
export type UnmaskingRequest = z.infer<typeof UnmaskingRequest>;
export type AdvertiseKeys = z.infer<typeof AdvertiseKeys>;
export type ShareKeys = z.infer<typeof ShareKeys>;
export type MaskedInput = z.infer<typeof MaskedInput>;
export type ConsistencySignature = z.infer<typeof ConsistencySignature>;
export type Unmasking = z.infer<typeof Unmasking>;
export type Abort = z.infer<typeof Abort>;

/**
 * Payload size of a message: the bytes of its binary fields, strings in UTF-8 and 8 per number;
 * the transport's framing is not counted (it is the same for a plain update).
 */
export function messageBytes(m: unknown): number {
  if (m instanceof Uint8Array || m instanceof Uint32Array) return m.byteLength;
  if (typeof m === 'string') return Buffer.byteLength(m, 'utf8');
  if (typeof m === 'number') return 8;
  if (Array.isArray(m)) return m.reduce((s: number, x) => s + messageBytes(x), 0);
  if (m && typeof m === 'object') return Object.values(m).reduce((s: number, x) => s + messageBytes(x), 0);
  return 0;
}
