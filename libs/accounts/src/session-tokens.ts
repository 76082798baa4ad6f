/**
 * Stateless session tokens: `<base64url JSON claims>.<base64url HMAC-SHA256(purpose + body)>`,
 * signed with a 32-byte secret file (0600, created at first start). The purpose prefix separates
 * the coordinator's tokens from a site's (and each site has its own secret), so a token never
 * verifies anywhere but where it was issued. Claims carry `gen`, a digest of the account's current
 * password hash: removing the account or changing its password ends its sessions. Given a
 * TokenRevocations, verify() also refuses a token signed out with revoke(). Every token carries a
 * random `jti` (128 bits), so two sign-ins in the same millisecond get different tokens and signing
 * one out leaves the other; it is checked and removed before the caller's claims schema sees them.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { Revocation, TokenRevocations } from './token-revocations.js';

export const SESSION_TTL_MS = 12 * 3600_000;

export const sessionSecretPath = (dir: string) => join(dir, 'session-secret');

/** The signing secret in <dir>/session-secret; created (0600) when absent; refused when others can read it. */
export function loadOrCreateSessionSecret(dir: string): Buffer {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = sessionSecretPath(dir);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process created it first
    }
    chmodSync(path, 0o600);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new Error(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new Error(`${path}: not a session secret (expected base64 of 32 bytes)`);
  return secret;
}

/** 16 hex characters of SHA-256 of the stored password hash. */
export const generationOf = (passwordHash: string) => createHash('sha256').update(passwordHash).digest('hex').slice(0, 16);

export class SignedTokens<P extends { exp: number }> {
  constructor(
    private readonly secret: Buffer,
    private readonly purpose: string,
    private readonly schema: z.ZodType<P>,
    private readonly now: () => number,
    readonly ttlMs = SESSION_TTL_MS,
    private readonly revocations?: TokenRevocations,
  ) {}

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(this.purpose + body).digest();
  }

  sign(claims: Omit<P, 'exp'>): { token: string; expires_at: number } {
    const exp = this.now() + this.ttlMs;
    const body = Buffer.from(JSON.stringify({ ...claims, exp, jti: randomBytes(16).toString('base64url') })).toString('base64url');
    return { token: `${body}.${this.mac(body).toString('base64url')}`, expires_at: exp };
  }

  /** The claims of a well-signed, unexpired token; null otherwise (no reason leaks to callers). */
  verify(token: string): P | null {
    const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const sig = Buffer.from(m[2], 'base64url');
    // canonical encoding only (the last character's spare bits must be zero): one token per signature
    if (sig.length !== 32 || sig.toString('base64url') !== m[2] || !timingSafeEqual(sig, this.mac(m[1]))) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
    const { jti, ...claims } = json as Record<string, unknown>;
    if (typeof jti !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(jti)) return null;
    const p = this.schema.safeParse(claims);
    if (!p.success || p.data.exp <= this.now()) return null;
    if (this.revocations?.isRevoked(token)) return null;
    return p.data;
  }

  /**
   * Signs a valid token out: it is refused from now until its expiry. The claims and the
   * revocation to persist; null when the token does not verify (already revoked, expired, forged).
   */
  revoke(token: string): { claims: P; revocation: Revocation } | null {
    if (!this.revocations) throw new Error('SignedTokens.revoke: constructed without a TokenRevocations');
    const claims = this.verify(token);
    if (!claims) return null;
    return { claims, revocation: this.revocations.revoke(token, claims.exp) };
  }
}
