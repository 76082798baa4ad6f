/**
 * Site authentication on each connection: hello (who) → challenge (a fresh 32-byte nonce, valid
 * once and for a short time) → response (Ed25519 signature over authSigningPayload) → result.
 * Unknown, revoked and not-yet-enrolled sites, expired or reused challenges and bad signatures are
 * refused with one reason each.
 */
import { randomBytes } from 'node:crypto';
import { authSigningPayload, type AuthChallenge, type AuthHello, type AuthResponse } from '@unbox/protocol';
import { verify } from '@unbox/secagg';
import type { Store } from '../db/store.js';

export type AuthOutcome = { ok: true; site: string; publicKey: Uint8Array } | { ok: false; reason: string };

export class Authenticator {
  private readonly used = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly coordinatorId: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  challenge(_hello: AuthHello): AuthChallenge {
    const issued = this.now();
    return { coordinator: this.coordinatorId, nonce: randomBytes(32).toString('base64'), issued_at: issued, expires_at: issued + this.ttlMs };
  }

  /** Checks the answer to `issued` (the challenge this connection was sent). */
  async verify(hello: AuthHello, issued: AuthChallenge, res: AuthResponse): Promise<AuthOutcome> {
    const now = this.now();
    for (const [n, exp] of this.used) if (exp < now) this.used.delete(n);
    if (res.site_id !== hello.site_id) return { ok: false, reason: `response names site '${res.site_id}' but hello named '${hello.site_id}'` };
    if (res.nonce !== issued.nonce) return { ok: false, reason: 'response answers another challenge (replayed)' };
    if (this.used.has(issued.nonce)) return { ok: false, reason: 'challenge already answered (replayed)' };
    if (now > issued.expires_at) return { ok: false, reason: 'challenge expired' };
    this.used.set(issued.nonce, issued.expires_at);
    const site = await this.store.site(hello.site_id);
    if (!site) return { ok: false, reason: `unknown site '${hello.site_id}'` };
    if (site.status === 'revoked') return { ok: false, reason: `site '${hello.site_id}' is revoked` };
    if (site.status !== 'enrolled' || !site.public_key) return { ok: false, reason: `site '${hello.site_id}' has not enrolled yet` };
    const key = new Uint8Array(Buffer.from(site.public_key, 'base64'));
    const sig = new Uint8Array(Buffer.from(res.signature, 'base64'));
    if (!verify(key, authSigningPayload(issued, hello.site_id), sig)) return { ok: false, reason: 'signature does not verify with the enrolled key' };
    await this.store.touchSite(site.id, now);
    return { ok: true, site: site.id, publicKey: key };
  }
}
