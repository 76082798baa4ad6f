/**
 * Ed25519 identities (long-term, from enrollment) and X25519 key agreement, both through
 * node:crypto (OpenSSL: ~50 µs an operation, where pure-JS curve arithmetic costs milliseconds).
 * Keys travel as their 32 raw bytes.
 *
 * New keys are 32 bytes from the CSPRNG, as OpenSSL's own key generation makes them, imported and
 * never made by generateKeyPairSync: on Node 20, exporting a generateKeyPairSync key while a
 * garbage collection destroys an earlier key-generation job locks the same mutex twice on the main
 * thread, and the process hangs for good (seen on a site agent after ~800 rounds' keys;
 * keys-gc.test.ts reproduces it within a few thousand keys).
 */
import { createPrivateKey, createPublicKey, diffieHellman, randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { bytesEqual, fromHex, isAllZero } from './bytes.js';
import { SecAggError } from './errors.js';

type Curve = 'Ed25519' | 'X25519';

function b64u(raw: Uint8Array): string {
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
}

function check(raw: Uint8Array, what: string): void {
  if (raw.length !== 32) throw new SecAggError('malformed-message', `${what} must be 32 bytes, got ${raw.length}`);
}

// JWK import builds the key straight from its raw bytes (OpenSSL 3's DER decoders cost ~10× more);
// for a private key OpenSSL derives the public half itself, so `x` is left empty.
function privateKeyObject(crv: Curve, raw: Uint8Array): KeyObject {
  check(raw, `${crv} secret key`);
  return createPrivateKey({ key: { kty: 'OKP', crv, d: b64u(raw), x: '' }, format: 'jwk' });
}

function publicKeyObject(crv: Curve, raw: Uint8Array): KeyObject {
  check(raw, `${crv} public key`);
  return createPublicKey({ key: { kty: 'OKP', crv, x: b64u(raw) }, format: 'jwk' });
}

function rawKey(k: KeyObject, part: 'x' | 'd'): Uint8Array {
  return new Uint8Array(Buffer.from(k.export({ format: 'jwk' })[part]!, 'base64url'));
}

/** A site's long-term signing identity. `secretKey` is the 32-byte Ed25519 seed. */
export interface SigningIdentity {
  id: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateIdentity(id: string): SigningIdentity {
  // an Ed25519 secret key is any 32-byte seed (RFC 8032 5.1.5)
  const secretKey = new Uint8Array(randomBytes(32));
  return { id, publicKey: rawKey(privateKeyObject('Ed25519', secretKey), 'x'), secretKey };
}

export function sign(secretKey: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, data, privateKeyObject('Ed25519', secretKey)));
}

/** True only for a valid signature; malformed keys or signatures are simply invalid. */
export function verify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return edVerify(null, data, publicKeyObject('Ed25519', publicKey), signature);
  } catch {
    return false;
  }
}

export interface X25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  return rawKey(privateKeyObject('X25519', secretKey), 'x');
}

export function generateX25519(): X25519KeyPair {
  // any 32 bytes are an X25519 scalar; clamped as RFC 7748 5 (and OpenSSL's keygen) do
  const secretKey = new Uint8Array(randomBytes(32));
  secretKey[0] &= 248;
  secretKey[31] &= 127;
  secretKey[31] |= 64;
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
        privateKey: privateKeyObject('X25519', secretKey),
        publicKey: publicKeyObject('X25519', peerPublic),
      }),
    );
  } catch (e) {
    // OpenSSL refuses an all-zero output itself; keep the reason ours
    throw new SecAggError('low-order-key', `X25519 agreement failed (${(e as Error).message})`);
  }
  if (isAllZero(shared)) throw new SecAggError('low-order-key', 'X25519 shared secret is all zero');
  return shared;
}
