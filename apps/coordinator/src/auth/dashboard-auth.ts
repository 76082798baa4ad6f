/**
 * Dashboard sign-in for consortium admins: password check (scrypt) with a per-account failure
 * throttle, session tokens (auth/sessions.ts), and the check every admin route and the
 * /dashboard socket namespace make: the admin token, or a session of an account that still
 * exists with the same password and has not been signed out (logout: persisted revocation).
 */
import type { CoordinatorLoginResponse, LoginRequest } from '@unbox/protocol';
import { CoordinatorError } from '../errors.js';
import { sameSecret } from '../enrollment/secrets.js';
import { LoginThrottle, normaliseUsername, tokenHash, verifyPassword } from '@unbox/accounts';
import type { UserStore } from '../users/user-store.js';
import type { RevokedTokenStore } from './revoked-token-store.js';
import { generationOf, type SessionTokens } from './sessions.js';

/** Too many failed sign-ins for one account: HTTP 429 with Retry-After. */
export class ThrottledError extends Error {
  override readonly name = 'ThrottledError';
  constructor(readonly retryAfterS: number) {
    super(`too many failed sign-ins for this account: try again in ${retryAfterS} s`);
  }
}

export const BAD_CREDENTIALS = 'wrong username or password';

/** Who a credential belongs to; a session carries its expiry (ms since epoch). */
export type Principal = { kind: 'admin-token' } | { kind: 'session'; username: string; role: 'admin'; expiresAt: number };

export const ADMIN_TOKEN_LOGOUT = 'sign-out: the admin token is not a session and cannot be signed out (to replace it, delete <data>/admin-token and restart the coordinator)';

export class DashboardAuth {
  private readonly throttle: LoginThrottle;
  private readonly signedOut = new Set<(token: string) => void>();

  /** `sessions` must already hold the revocations `revoked` has stored (see users.module.ts). */
  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionTokens,
    private readonly adminToken: string,
    private readonly now: () => number,
    private readonly revoked: RevokedTokenStore,
  ) {
    this.throttle = new LoginThrottle(now);
  }

  async login(req: LoginRequest): Promise<CoordinatorLoginResponse> {
    const key = normaliseUsername(req.username);
    const wait = this.throttle.wait(key);
    if (wait > 0) throw new ThrottledError(Math.ceil(wait / 1000));
    const user = await this.users.get(key);
    // the same scrypt work and the same answer whether the account exists or not
    const ok = await verifyPassword(req.password, user?.password_hash ?? null);
    if (!ok || !user) {
      this.throttle.failed(key);
      throw new CoordinatorError('unauthorized', BAD_CREDENTIALS);
    }
    this.throttle.succeeded(key);
    const s = this.sessions.issue(user.username, user.password_hash);
    return { token: s.token, role: 'admin', username: user.username, expires_at: s.expires_at };
  }

  /** Who a bearer credential belongs to, or null. */
  async principal(token: string): Promise<Principal | null> {
    if (sameSecret(token, this.adminToken)) return { kind: 'admin-token' };
    const p = this.sessions.verify(token);
    if (!p) return null;
    const user = await this.users.get(p.sub);
    if (!user || user.role !== p.role || generationOf(user.password_hash) !== p.gen) return null;
    return { kind: 'session', username: user.username, role: user.role, expiresAt: p.exp };
  }

  /**
   * Signs a session token out: it is refused everywhere from now until it expires, across
   * restarts (stored before the memory list changes, so a failed write leaves it valid and says so).
   * The admin token is not a session: refused (400).
   */
  async logout(token: string): Promise<void> {
    const who = await this.principal(token);
    if (!who) throw new CoordinatorError('unauthorized', 'sign-out: not a valid session token');
    if (who.kind === 'admin-token') throw new CoordinatorError('bad_message', ADMIN_TOKEN_LOGOUT);
    await this.revoked.add({ hash: tokenHash(token), expires_at: who.expiresAt });
    this.sessions.revoke(token);
    await this.revoked.prune(this.now());
    for (const l of this.signedOut) l(token);
  }

  /** Calls `l` with each token signed out from now on (the /dashboard feed closes its sockets); unsubscribe. */
  onSignedOut(l: (token: string) => void): () => void {
    this.signedOut.add(l);
    return () => this.signedOut.delete(l);
  }

  /** The current time source (tests run on a fake clock). */
  clock(): number {
    return this.now();
  }
}
