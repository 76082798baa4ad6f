import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecAggError } from './errors.js';
import { combine, gfDiv, gfMul, split } from './shamir.js';

describe('GF(2^8) arithmetic', () => {
  it('matches FIPS-197 §4.2 products', () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
    expect(gfMul(0x57, 0x13)).toBe(0xfe);
    expect(gfMul(0x53, 0xca)).toBe(0x01); // inverse pair used by the AES S-box
    expect(gfDiv(1, 0x53)).toBe(0xca);
  });
});

describe('Shamir known answer', () => {
  // f(x) = 0x53 + 0xCA·x over GF(2^8): f(1) = 0x99, f(2) = 0x53 ^ 0x8F = 0xDC, f(3) = 0x53 ^ 0x45 = 0x16 (by hand)
  const pinned = () => Uint8Array.of(0xca);
  it('evaluates the pinned polynomial at each point', () => {
    const shares = split(Uint8Array.of(0x53), 2, [1, 2, 3], pinned);
    expect(shares.map((s) => [s.x, s.y[0]])).toEqual([
      [1, 0x99],
      [2, 0xdc],
      [3, 0x16],
    ]);
  });
  it('reconstructs 0x53 from any two of them', () => {
    expect(combine([{ x: 2, y: Uint8Array.of(0xdc) }, { x: 3, y: Uint8Array.of(0x16) }], 2)[0]).toBe(0x53);
    expect(combine([{ x: 3, y: Uint8Array.of(0x16) }, { x: 1, y: Uint8Array.of(0x99) }], 2)[0]).toBe(0x53);
  });
});

describe('Shamir t-of-n', () => {
  it('any t shares reconstruct a 32-byte secret (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer(), (t, extra, secret, seed) => {
        const n = t + extra;
        const xs = Array.from({ length: n }, (_, i) => ((i * 37 + (seed & 0xff)) % 255) + 1);
        if (new Set(xs).size !== n) return;
        const shares = split(secret, t, xs);
        const rot = Math.abs(seed) % n;
        const pick = [...shares.slice(rot), ...shares.slice(0, rot)].slice(0, t + (Math.abs(seed) % (extra + 1)));
        expect(combine(pick, t)).toEqual(secret);
      }),
      { numRuns: 60, seed: 8 },
    );
  });

  it('never reconstructs from fewer than t shares', () => {
    const shares = split(new Uint8Array(32).fill(5), 3, [1, 2, 3, 4]);
    expect(() => combine(shares.slice(0, 2), 3)).toThrow(SecAggError);
    expect(() => combine(shares.slice(0, 2), 3)).toThrow(/below-threshold/);
  });

  it('detects a corrupted share when more than t are given', () => {
    const shares = split(new Uint8Array(32).fill(5), 3, [1, 2, 3, 4, 5]);
    shares[4].y[7] ^= 1;
    expect(() => combine(shares, 3)).toThrow(/reconstruction-failed/);
  });

  it('t−1 shares carry no information: every secret is consistent with an observed share', () => {
    // t = 2: for any secret s, the (uniform) coefficient a = s ^ y puts the share at x = 1 on y, so
    // one share leaves all 256 secrets equally likely
    const y = 0x3c;
    for (let s = 0; s < 256; s++) expect(split(Uint8Array.of(s), 2, [1, 2], () => Uint8Array.of(s ^ y))[0].y[0]).toBe(y);
  });

  it('refuses bad points and thresholds', () => {
    expect(() => split(new Uint8Array(4), 2, [0, 1])).toThrow(/1\.\.255/);
    expect(() => split(new Uint8Array(4), 2, [1, 1])).toThrow(/duplicate/);
    expect(() => split(new Uint8Array(4), 3, [1, 2])).toThrow(/invalid-parameters/);
  });
});
