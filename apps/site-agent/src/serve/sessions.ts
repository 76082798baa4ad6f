/**
 * Clinician session tokens of one site, signed with this site's own secret <site-dir>/session-secret:
 * the shared @unbox/accounts SignedTokens with this service's claims and purpose prefix. A token of
 * site A never verifies at site B (other secret, and the site is checked), nor at the coordinator
 * (other secret and purpose prefix). A signed-out token is refused until it expires, also after a
 * restart when the sessions are given the site's RevokedTokens file.
 */
import { generationOf, loadOrCreateSessionSecret as loadSecret, SESSION_TTL_MS, SignedTokens, tokenHash, TokenRevocations } from '@unbox/accounts';
import { z } from 'zod';
import { UserError } from '../errors.js';
import type { RevokedTokens } from './revoked-tokens.js';

export { generationOf } from '@unbox/accounts';

const PURPOSE = 'unbox-site-session.v1.';

const Payload = z.strictObject({ v: z.literal(1), sub: z.string().min(1).max(64), role: z.literal('clinician'), site: z.string().min(1).max(128), gen: z.string().regex(/^[0-9a-f]{16}$/), exp: z.number().int() });
export type SiteSessionPayload = z.infer<typeof Payload>;

/** The site's signing secret; a bad secret file is the operator's to fix (a UserError, not a crash report). */
export function loadOrCreateSessionSecret(siteDir: string): Buffer {
  try {
    return loadSecret(siteDir);
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export class SiteSessions {
  private readonly tokens: SignedTokens<SiteSessionPayload>;

  /** Without `revoked`, sign-outs are kept in memory only (a restart forgets them). */
  constructor(secret: Buffer, readonly site: string, now: () => number = Date.now, readonly ttlMs = SESSION_TTL_MS, private readonly revoked?: RevokedTokens) {
    this.tokens = new SignedTokens(secret, PURPOSE, Payload, now, ttlMs, revoked?.list ?? new TokenRevocations(now));
  }

  issue(sub: string, passwordHash: string): { token: string; expires_at: number } {
    return this.tokens.sign({ v: 1, sub, role: 'clinician', site: this.site, gen: generationOf(passwordHash) });
  }

  /** The payload of a well-signed, unexpired token of this site; null otherwise. */
  verify(token: string): SiteSessionPayload | null {
    const p = this.tokens.verify(token);
    return p && p.site === this.site ? p : null;
  }

  /** Signs a valid token of this site out until it expires (persisted first); false when it does not verify. */
  revoke(token: string): boolean {
    const p = this.verify(token);
    if (!p) return false;
    // the file's list is the one `tokens` checks: record() writes the file, then adds to it
    if (this.revoked) this.revoked.record({ hash: tokenHash(token), expires_at: p.exp });
    else this.tokens.revoke(token);
    return true;
  }
}
