/**
 * Ed25519 identities (long-term, from enrollment) and X25519 key agreement, both through
 * node:crypto (OpenSSL: ~50 µs an operation, where pure-JS curve arithmetic costs milliseconds).
 * Keys travel as their 32 raw bytes; the DER prefixes below wrap them for OpenSSL.
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { bytesEqual, fromHex, isAllZero } from './bytes.js';
import { SecAggError } from './errors.js';

const ED_PKCS8 = fromHex('302e020100300506032b657004220420');
const ED_SPKI = fromHex('302a300506032b6570032100');
const X_PKCS8 = fromHex('302e020100300506032b656e04220420');
const X_SPKI = fromHex('302a300506032b656e032100');

function der(prefix: Uint8Array, raw: Uint8Array, what: string): Buffer {
  if (raw.length !== 32) throw new SecAggError('malformed-message', `${what} must be 32 bytes, got ${raw.length}`);
  return Buffer.concat([prefix, raw]);
}

function rawPublic(k: KeyObject): Uint8Array {
  return new Uint8Array(k.export({ format: 'der', type: 'spki' }).subarray(-32));
}

/** A site's long-term signing identity. `secretKey` is the 32-byte Ed25519 seed. */
export interface SigningIdentity {
  id: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateIdentity(id: string): SigningIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { id, publicKey: rawPublic(publicKey), secretKey: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32)) };
}

export function sign(secretKey: Uint8Array, data: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: der(ED_PKCS8, secretKey, 'Ed25519 secret key'), format: 'der', type: 'pkcs8' });
  return new Uint8Array(edSign(null, data, key));
}

/** True only for a valid signature; malformed keys or signatures are simply invalid. */
export function verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: der(ED_SPKI, publicKey, 'Ed25519 public key'), format: 'der', type: 'spki' });
    return edVerify(null, data, key, signature);
  } catch {
    return false;
  }
}

export interface X25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  const key = createPrivateKey({ key: der(X_PKCS8, secretKey, 'X25519 secret key'), format: 'der', type: 'pkcs8' });
  return rawPublic(createPublicKey(key));
}

export function generateX25519(): X25519KeyPair {
  const secretKey = new Uint8Array(randomBytes(32));
  return { secretKey, publicKey: x25519PublicKey(secretKey) };
}

/**
 * The X25519 points of small order (and their non-canonical encodings), compared with the top bit
 * cleared as X25519 itself ignores it: 0, 1, the two points of order 8, p−1, p, p+1.
 */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(fromHex);

export function isLowOrder(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return true;
  const k = publicKey.slice();
  k[31] &= 0x7f;
  return LOW_ORDER.some((p) => bytesEqual(p, k));
}

/** X25519(secret, peer) with low-order keys and an all-zero result refused. */
export function agree(secretKey: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  if (isLowOrder(peerPublic)) throw new SecAggError('low-order-key', 'peer X25519 key is of small order');
  let shared: Uint8Array;
  try {
    shared = new Uint8Array(
      diffieHellman({
        privateKey: createPrivateKey({ key: der(X_PKCS8, secretKey, 'X25519 secret key'), format: 'der', type: 'pkcs8' }),
        publicKey: createPublicKey({ key: der(X_SPKI, peerPublic, 'X25519 public key'), format: 'der', type: 'spki' }),
      }),
    );
  } catch (e) {
    // OpenSSL refuses an all-zero output itself; keep the reason ours
    throw new SecAggError('low-order-key', `X25519 agreement failed (${(e as Error).message})`);
  }
  if (isAllZero(shared)) throw new SecAggError('low-order-key', 'X25519 shared secret is all zero');
  return shared;
}
