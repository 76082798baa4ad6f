/**
 * What both sides derive identically: the session id, the bytes each signature covers, the
 * pairwise and self-mask stream keys, share encryption, and the self-mask commitment.
 */
import nacl from 'tweetnacl';
import { randomBytes } from 'node:crypto';
import { bytesEqual, decodeFields, encodeFields, type Field } from './bytes.js';
import type { SecAggParams } from './config.js';
import { SecAggError } from './errors.js';
import { deriveKey, sha256 } from './kdf.js';
import { agree } from './keys.js';
import type { AdvertisedKeys, EncryptedShare, RosterEntry } from './messages.js';

export interface RoundInfo {
  run: string;
  round: number;
  modelHash: Uint8Array;
  threshold: number;
  roster: readonly RosterEntry[];
  params: SecAggParams;
}

/** Index of each site on the roster; its Shamir point is index + 1 and it orders pairwise masks. */
export function rosterIndex(roster: readonly RosterEntry[]): Map<string, number> {
  return new Map(roster.map((r, i) => [r.id, i]));
}

export function advertisePayload(info: Pick<RoundInfo, 'run' | 'round' | 'modelHash'>, id: string, encryptionKey: Uint8Array, maskingKey: Uint8Array): Uint8Array {
  return encodeFields(['unbox-secagg/v1/advertise', info.run, info.round, info.modelHash, id, encryptionKey, maskingKey]);
}

/** session id = SHA-256(run, round, model hash, threshold, params, roster, advertised keys in roster order). */
export function sessionId(info: RoundInfo, advertised: readonly AdvertisedKeys[]): Uint8Array {
  const idx = rosterIndex(info.roster);
  const sorted = [...advertised].sort((a, b) => idx.get(a.id)! - idx.get(b.id)!);
  const p = info.params;
  const fields: Field[] = ['unbox-secagg/v1/session', info.run, info.round, info.modelHash, info.threshold, p.length, p.clip, p.maxWeight, p.maxSites, p.fracBits, p.prg, info.roster.length];
  for (const r of info.roster) fields.push(r.id, r.signingKey);
  fields.push(sorted.length);
  for (const a of sorted) fields.push(a.id, a.encryptionKey, a.maskingKey);
  return sha256(encodeFields(fields));
}

/** What a site signs in the consistency check: the session and the survivor set U3 in roster order. */
export function consistencyPayload(sid: Uint8Array, survivors: readonly string[]): Uint8Array {
  return encodeFields(['unbox-secagg/v1/consistency', sid, survivors.length, ...survivors]);
}

export function sortByRoster(ids: Iterable<string>, idx: Map<string, number>): string[] {
  return [...ids].sort((a, b) => idx.get(a)! - idx.get(b)!);
}

/** Stream key of the pairwise mask between u and v: HKDF(X25519(s_u, s_v), session, (lo, hi)). */
export function pairwiseSeed(secretKey: Uint8Array, peerMaskingKey: Uint8Array, sid: Uint8Array, a: string, b: string, idx: Map<string, number>): Uint8Array {
  const [lo, hi] = idx.get(a)! < idx.get(b)! ? [a, b] : [b, a];
  return deriveKey(agree(secretKey, peerMaskingKey), sid, 'pairwise-mask', [lo, hi]);
}

export function selfMaskSeed(b: Uint8Array, sid: Uint8Array, id: string): Uint8Array {
  return deriveKey(b, sid, 'self-mask', [id]);
}

export function selfMaskCommitment(b: Uint8Array, sid: Uint8Array, id: string): Uint8Array {
  return sha256(encodeFields(['unbox-secagg/v1/self-mask-commitment', sid, id, b]));
}

function shareKey(secretKey: Uint8Array, peerEncryptionKey: Uint8Array, sid: Uint8Array, a: string, b: string, idx: Map<string, number>): Uint8Array {
  const [lo, hi] = idx.get(a)! < idx.get(b)! ? [a, b] : [b, a];
  return deriveKey(agree(secretKey, peerEncryptionKey), sid, 'share-encryption', [lo, hi]);
}

export interface SharePlain {
  maskKeyShare: Uint8Array;
  selfMaskShare: Uint8Array;
}

/** XSalsa20-Poly1305 of (from, to, session, s^SK share, b share) under the c-key agreement. */
export function encryptShare(secretKey: Uint8Array, peerEncryptionKey: Uint8Array, sid: Uint8Array, from: string, to: string, idx: Map<string, number>, plain: SharePlain): EncryptedShare {
  const key = shareKey(secretKey, peerEncryptionKey, sid, from, to, idx);
  const nonce = new Uint8Array(randomBytes(24));
  const msg = encodeFields(['unbox-secagg/v1/share', from, to, sid, plain.maskKeyShare, plain.selfMaskShare]);
  const box = nacl.secretbox(msg, nonce, key);
  msg.fill(0);
  key.fill(0);
  return { from, to, nonce, box };
}

/** Opens a share addressed to `me` from `e.from`; throws unless it opens and names exactly them. */
export function decryptShare(secretKey: Uint8Array, peerEncryptionKey: Uint8Array, sid: Uint8Array, me: string, e: EncryptedShare, idx: Map<string, number>): SharePlain {
  const key = shareKey(secretKey, peerEncryptionKey, sid, e.from, me, idx);
  const msg = nacl.secretbox.open(e.box, e.nonce, key);
  key.fill(0);
  if (!msg) throw new SecAggError('bad-ciphertext', `share from ${e.from} does not open`);
  let f: Field[];
  try {
    f = decodeFields(msg);
  } catch (err) {
    throw new SecAggError('bad-ciphertext', `share from ${e.from}: ${(err as Error).message}`);
  }
  if (f.length !== 6 || f[0] !== 'unbox-secagg/v1/share') throw new SecAggError('bad-ciphertext', `share from ${e.from} has the wrong layout`);
  if (f[1] !== e.from || f[2] !== me) throw new SecAggError('bad-ciphertext', `share claims ${String(f[1])} → ${String(f[2])}, delivered as ${e.from} → ${me}`);
  const [, , , s, m, b] = f;
  if (!(s instanceof Uint8Array) || !bytesEqual(s, sid)) throw new SecAggError('bad-ciphertext', `share from ${e.from} belongs to another session`);
  if (!(m instanceof Uint8Array) || !(b instanceof Uint8Array) || m.length !== 32 || b.length !== 32)
    throw new SecAggError('bad-ciphertext', `share from ${e.from} has malformed fields`);
  return { maskKeyShare: m, selfMaskShare: b };
}
