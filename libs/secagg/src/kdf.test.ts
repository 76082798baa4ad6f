import { describe, expect, it } from 'vitest';
import { fromHex, hex } from './bytes.js';
import { deriveKey, hkdfSha256, sha256 } from './kdf.js';

describe('key derivation', () => {
  it('HKDF-SHA256 matches RFC 5869 test case 1', () => {
    const okm = hkdfSha256(fromHex('0b'.repeat(22)), fromHex('000102030405060708090a0b0c'), fromHex('f0f1f2f3f4f5f6f7f8f9'), 42);
    expect(hex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('HKDF-SHA256 matches RFC 5869 test case 3 (empty salt and info)', () => {
    const okm = hkdfSha256(fromHex('0b'.repeat(22)), new Uint8Array(0), new Uint8Array(0), 42);
    expect(hex(okm)).toBe('8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
  });

  it('SHA-256 of "abc" (FIPS 180-2)', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('binds the key to session, label and context', () => {
    const secret = new Uint8Array(32).fill(9);
    const s1 = new Uint8Array(32).fill(1);
    const s2 = new Uint8Array(32).fill(2);
    const k = deriveKey(secret, s1, 'pairwise-mask', ['A', 'B']);
    expect(k).toHaveLength(32);
    expect(deriveKey(secret, s1, 'pairwise-mask', ['A', 'B'])).toEqual(k);
    for (const other of [deriveKey(secret, s2, 'pairwise-mask', ['A', 'B']), deriveKey(secret, s1, 'self-mask', ['A', 'B']), deriveKey(secret, s1, 'pairwise-mask', ['AB', ''])]) {
      expect(hex(other)).not.toBe(hex(k));
    }
  });
});
