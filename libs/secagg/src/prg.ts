/**
 * Mask expansion: a 256-bit seed keys ChaCha20 (RFC 8439) or AES-256-CTR from node:crypto and the
 * keystream, read as little-endian 32-bit words, is the mask in Z_2^32. Each seed is used for one
 * stream only (it is derived per session and pair), so the all-zero nonce/counter is safe.
 */
import { createCipheriv } from 'node:crypto';
import { endianness } from 'node:os';

export type PrgAlgorithm = 'chacha20' | 'aes-256-ctr';

if (endianness() !== 'LE') throw new Error('@unbox/secagg reads the keystream as little-endian words; big-endian hosts are unsupported');

const CHUNK_WORDS = 1 << 16; // 256 KiB of keystream at a time stays in L2
const ZEROS = new Uint8Array(CHUNK_WORDS * 4);
const IV = new Uint8Array(16);

function cipherFor(seed: Uint8Array, alg: PrgAlgorithm) {
  if (seed.length !== 32) throw new Error(`PRG seed must be 32 bytes, got ${seed.length}`);
  return createCipheriv(alg, seed, IV);
}

/**
 * target += sign · PRG(seed) (mod 2^32), streamed in chunks so no full-size mask is allocated.
 * The words are added as int32 with `| 0`: the same bits as uint32 arithmetic mod 2^32, but V8
 * keeps it in integer registers (uint32 sums above 2^31 would go through doubles).
 */
export function addMask(target: Uint32Array, seed: Uint8Array, alg: PrgAlgorithm, sign: 1 | -1): void {
  const cipher = cipherFor(seed, alg);
  const t32 = new Int32Array(target.buffer, target.byteOffset, target.length);
  const scratch = new Int32Array(Math.min(CHUNK_WORDS, target.length));
  for (let off = 0; off < target.length; off += CHUNK_WORDS) {
    const n = Math.min(CHUNK_WORDS, target.length - off);
    const buf = cipher.update(ZEROS.subarray(0, n * 4));
    let ks: Int32Array;
    if (buf.byteOffset % 4 === 0) ks = new Int32Array(buf.buffer, buf.byteOffset, n);
    else {
      new Uint8Array(scratch.buffer, 0, n * 4).set(buf.subarray(0, n * 4));
      ks = scratch;
    }
    const t = t32.subarray(off, off + n);
    if (sign === 1) for (let i = 0; i < n; i++) t[i] = (t[i] + ks[i]) | 0;
    else for (let i = 0; i < n; i++) t[i] = (t[i] - ks[i]) | 0;
  }
}

/** The mask itself (for tests and statistics): PRG(seed) as `length` words. */
export function expandMask(seed: Uint8Array, length: number, alg: PrgAlgorithm): Uint32Array {
  const out = new Uint32Array(length);
  addMask(out, seed, alg, 1);
  return out;
}

/**
 * Raw keystream with an explicit nonce and initial block counter, for known-answer tests against
 * RFC 8439 / SP 800-38A. node:crypto takes ChaCha20's IV as counter (32-bit LE) ‖ 96-bit nonce.
 */
export function keystream(alg: PrgAlgorithm, key: Uint8Array, iv: Uint8Array, length: number): Uint8Array {
  const c = createCipheriv(alg, key, iv);
  return new Uint8Array(c.update(new Uint8Array(length)));
}
