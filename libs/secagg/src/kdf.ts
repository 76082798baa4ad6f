/** SHA-256 and HKDF-SHA256 (RFC 5869) from node:crypto, with the labels this protocol derives. */
import { createHash, hkdfSync } from 'node:crypto';
import { encodeFields, type Field } from './bytes.js';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

/**
 * A 256-bit key bound to the session: HKDF(secret, salt = session id, info = label ‖ context).
 * The same agreed secret therefore gives unrelated keys in another run, round, roster or model.
 */
export function deriveKey(secret: Uint8Array, sessionId: Uint8Array, label: string, context: readonly Field[] = []): Uint8Array {
  return hkdfSha256(secret, sessionId, encodeFields([`unbox-secagg/v1/${label}`, ...context]), 32);
}
