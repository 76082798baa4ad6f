/**
 * The coordinator's dashboard session tokens (admin role), signed with <data>/session-secret:
 * the shared @unbox/accounts SignedTokens with this service's claims and purpose prefix, so a
 * site agent's token (other prefix, other secret) never verifies here. Signed-out tokens are
 * refused through the given TokenRevocations (persisted by auth/revoked-token-store.ts).
 */
import { generationOf, SESSION_TTL_MS, SignedTokens, TokenRevocations, type Revocation } from '@unbox/accounts';
import { z } from 'zod';

export { generationOf, loadOrCreateSessionSecret } from '@unbox/accounts';

const PURPOSE = 'unbox-coordinator-session.v1.';

const Payload = z.strictObject({ v: z.literal(1), sub: z.string().min(1).max(64), role: z.literal('admin'), gen: z.string().regex(/^[0-9a-f]{16}$/), exp: z.number().int() });
export type SessionPayload = z.infer<typeof Payload>;

export class SessionTokens {
  private readonly tokens: SignedTokens<SessionPayload>;

  constructor(secret: Buffer, now: () => number, readonly ttlMs = SESSION_TTL_MS, readonly revocations = new TokenRevocations(now)) {
    this.tokens = new SignedTokens(secret, PURPOSE, Payload, now, ttlMs, revocations);
  }

  issue(sub: string, passwordHash: string): { token: string; expires_at: number } {
    return this.tokens.sign({ v: 1, sub, role: 'admin', gen: generationOf(passwordHash) });
  }

  /** The payload of a well-signed, unexpired token; null otherwise (no reason leaks to callers). */
  verify(token: string): SessionPayload | null {
    return this.tokens.verify(token);
  }

  /** Signs a valid token out until its expiry: the revocation to persist, or null when it does not verify. */
  revoke(token: string): Revocation | null {
    return this.tokens.revoke(token)?.revocation ?? null;
  }
}
