/**
 * t-of-n Shamir secret sharing over GF(2^8), byte by byte (the AES field, x^8+x^4+x^3+x+1).
 *
 * Why GF(2^8): the secrets are 32-byte strings (an X25519 secret key and a 256-bit seed); sharing
 * each byte in GF(2^8) shares any byte string exactly, with no encoding into a prime field and no
 * bias, shares are the same size as the secret, and at most 255 sites is far above a consortium.
 * Security is the same information-theoretic Shamir guarantee: t−1 shares are independent of the
 * secret. Reconstruction refuses fewer than t shares and checks every extra share against the
 * interpolated polynomial; callers then check the secret against a public key or commitment.
 */
import { randomBytes } from 'node:crypto';
import { SecAggError } from './errors.js';

const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    // multiply by the generator 3 = x ^ xtime(x)
    const xt = ((x << 1) ^ (x & 0x80 ? 0x11b : 0)) & 0xff;
    x ^= xt;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255];
}

export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

export function gfDiv(a: number, b: number): number {
  if (b === 0) throw new Error('division by zero in GF(2^8)');
  return a === 0 ? 0 : EXP[LOG[a] + 255 - LOG[b]];
}

export interface Share {
  /** evaluation point, 1..255 (never 0: f(0) is the secret) */
  x: number;
  y: Uint8Array;
}

function checkPoints(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isInteger(x) || x < 1 || x > 255) throw new SecAggError('malformed-message', `share point ${x} is not in 1..255`);
    if (seen.has(x)) throw new SecAggError('duplicate', `two shares at point ${x}`);
    seen.add(x);
  }
}

/**
 * Split `secret` into shares at the points `xs`, any `t` of which reconstruct it.
 * `random(n)` supplies the polynomial coefficients (crypto randomness unless a test pins them).
 */
export function split(secret: Uint8Array, t: number, xs: readonly number[], random: (n: number) => Uint8Array = (n) => randomBytes(n)): Share[] {
  checkPoints(xs);
  if (!Number.isInteger(t) || t < 1 || t > xs.length) throw new SecAggError('invalid-parameters', `threshold ${t} must be in 1..${xs.length}`);
  const L = secret.length;
  const coeffs = random((t - 1) * L); // coefficient k (1..t−1) of byte j at (k−1)·L + j
  const shares = xs.map((x) => ({ x, y: new Uint8Array(L) }));
  for (const s of shares) {
    for (let j = 0; j < L; j++) {
      // Horner from the highest coefficient down to the secret
      let acc = 0;
      for (let k = t - 1; k >= 1; k--) acc = gfMul(acc, s.x) ^ coeffs[(k - 1) * L + j];
      s.y[j] = gfMul(acc, s.x) ^ secret[j];
    }
  }
  coeffs.fill(0);
  return shares;
}

/** Lagrange basis weights of the points `xs` evaluated at `at` (at = 0 gives the secret). */
function basis(xs: readonly number[], at: number): number[] {
  return xs.map((xj, j) => {
    let num = 1;
    let den = 1;
    xs.forEach((xm, m) => {
      if (m === j) return;
      num = gfMul(num, at ^ xm);
      den = gfMul(den, xj ^ xm);
    });
    return gfDiv(num, den);
  });
}

function interpolate(shares: readonly Share[], w: readonly number[], L: number): Uint8Array {
  const out = new Uint8Array(L);
  shares.forEach((s, j) => {
    for (let b = 0; b < L; b++) out[b] ^= gfMul(w[j], s.y[b]);
  });
  return out;
}

/**
 * Reconstruct from at least t shares. Uses the first t, then requires every further share to lie
 * on the same polynomial; a mismatch means a corrupted share and throws instead of guessing.
 */
export function combine(shares: readonly Share[], t: number): Uint8Array {
  if (shares.length < t) throw new SecAggError('below-threshold', `${shares.length} shares, ${t} needed: never reconstructed from fewer than t`);
  checkPoints(shares.map((s) => s.x));
  const L = shares[0].y.length;
  if (shares.some((s) => s.y.length !== L)) throw new SecAggError('malformed-message', 'shares of different lengths');
  const base = shares.slice(0, t);
  const xs = base.map((s) => s.x);
  const secret = interpolate(base, basis(xs, 0), L);
  for (const extra of shares.slice(t)) {
    const predicted = interpolate(base, basis(xs, extra.x), L);
    for (let b = 0; b < L; b++) {
      if (predicted[b] !== extra.y[b]) throw new SecAggError('reconstruction-failed', `share at point ${extra.x} is not on the polynomial of the others`);
    }
  }
  return secret;
}
