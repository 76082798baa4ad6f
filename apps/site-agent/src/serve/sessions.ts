/**
 * Clinician session tokens of one site, signed with this site's own secret <site-dir>/session-secret:
 * the shared @unbox/accounts SignedTokens with this service's claims and purpose prefix. A token of
 * site A never verifies at site B (other secret, and the site is checked), nor at the coordinator
 * (other secret and purpose prefix).
 */
import { generationOf, loadOrCreateSessionSecret as loadSecret, SESSION_TTL_MS, SignedTokens } from '@unbox/accounts';
import { z } from 'zod';
import { UserError } from '../errors.js';

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

  constructor(secret: Buffer, readonly site: string, now: () => number = Date.now, readonly ttlMs = SESSION_TTL_MS) {
    this.tokens = new SignedTokens(secret, PURPOSE, Payload, now, ttlMs);
  }

  issue(sub: string, passwordHash: string): { token: string; expires_at: number } {
    return this.tokens.sign({ v: 1, sub, role: 'clinician', site: this.site, gen: generationOf(passwordHash) });
  }

  /** The payload of a well-signed, unexpired token of this site; null otherwise. */
  verify(token: string): SiteSessionPayload | null {
    const p = this.tokens.verify(token);
    return p && p.site === this.site ? p : null;
  }
}
