/**
 * Revoked session tokens (sign-out): a stateless token stays valid until its `exp`, so ending one
 * early means remembering it until then. An entry is the SHA-256 of the token (never the token
 * itself; each token is unique by its random jti) with the token's own expiry; entries past it are pruned (the
 * token is refused by its `exp` from then on), so the list holds at most the sign-outs of one
 * token lifetime. Pure logic over a given clock: the services persist `entries()` themselves.
 */
import { createHash } from 'node:crypto';

/** One revoked token: SHA-256 hex of the token and its expiry (ms since epoch). */
export interface Revocation {
  hash: string;
  expires_at: number;
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenRevocations {
  private readonly byHash = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    entries: Iterable<Revocation> = [],
  ) {
    for (const e of entries) this.put(e);
  }

  /** Remembers a revocation until its expiry; an already expired one is not kept. Prunes. */
  add(e: Revocation): void {
    this.prune();
    this.put(e);
  }

  private put(e: Revocation): void {
    if (!/^[0-9a-f]{64}$/.test(e.hash)) throw new Error(`revocation: hash must be 64 hex characters (SHA-256), got '${e.hash.slice(0, 70)}'`);
    if (!Number.isFinite(e.expires_at)) throw new Error(`revocation ${e.hash.slice(0, 12)}…: expires_at must be a number of ms since the epoch`);
    if (e.expires_at <= this.now()) return;
    this.byHash.set(e.hash, Math.max(e.expires_at, this.byHash.get(e.hash) ?? 0));
  }

  /** Revokes `token` (which expires at `expiresAt`); the entry to persist. */
  revoke(token: string, expiresAt: number): Revocation {
    const e = { hash: tokenHash(token), expires_at: expiresAt };
    this.add(e);
    return e;
  }

  isRevoked(token: string): boolean {
    const exp = this.byHash.get(tokenHash(token));
    return exp !== undefined && exp > this.now();
  }

  /** Forgets revocations whose tokens have expired; returns how many were dropped. */
  prune(): number {
    const now = this.now();
    let n = 0;
    for (const [h, exp] of this.byHash)
      if (exp <= now) {
        this.byHash.delete(h);
        n++;
      }
    return n;
  }

  /** The unexpired revocations (what a service writes to its store). */
  entries(): Revocation[] {
    this.prune();
    return [...this.byHash].map(([hash, expires_at]) => ({ hash, expires_at }));
  }

  get size(): number {
    return this.byHash.size;
  }
}
