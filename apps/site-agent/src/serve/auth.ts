/**
 * Who may use the site API: the service bearer token (serve-token, for scripts and the site's own
 * tools) or a clinician session of THIS site from POST /auth/login. Sign-in checks the scrypt hash
 * in users.json, answers unknown user and wrong password alike, and throttles repeated failures
 * per account (login-throttle.ts). POST /auth/logout signs a clinician session out (sessions.ts).
 */
import { LoginRequest, type SiteLoginResponse } from '@unbox/protocol';
import { LoginThrottle } from '@unbox/accounts';
import { verifyPassword } from '@unbox/accounts';
import { generationOf, type SiteSessions } from './sessions.js';
import { bearerMatches } from './token.js';
import { normaliseUsername, type UserDirectory } from './users.js';

export type Principal = { kind: 'service' } | { kind: 'clinician'; username: string; site: string; expiresAt: number };

export type LoginOutcome =
  | { ok: true; body: SiteLoginResponse }
  | { ok: false; status: 400 | 401 | 429; error: string; retryAfterS?: number };

export const BAD_CREDENTIALS = 'wrong username or password';

export const SERVICE_TOKEN_LOGOUT = 'sign-out: the service token is not a session and cannot be signed out (to replace it, delete <site-dir>/serve-token and restart serve)';

export type LogoutOutcome = { ok: true } | { ok: false; status: 400 | 401; error: string };

export class SiteAuth {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly serviceToken: string,
    private readonly users: UserDirectory,
    private readonly sessions: SiteSessions,
    private readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(now);
  }

  get site(): string {
    return this.sessions.site;
  }

  async login(body: unknown): Promise<LoginOutcome> {
    const r = LoginRequest.safeParse(body);
    if (!r.success) {
      const i = r.error.issues[0];
      return { ok: false, status: 400, error: `login: ${i.path.join('.') || 'body'}: ${i.message}` };
    }
    const key = normaliseUsername(r.data.username);
    const wait = this.throttle.wait(key);
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      return { ok: false, status: 429, error: `too many failed sign-ins for this account: try again in ${s} s`, retryAfterS: s };
    }
    const user = this.users.get(key);
    const ok = await verifyPassword(r.data.password, user?.password_hash ?? null);
    if (!ok || !user) {
      this.throttle.failed(key);
      return { ok: false, status: 401, error: BAD_CREDENTIALS };
    }
    this.throttle.succeeded(key);
    const s = this.sessions.issue(user.username, user.password_hash);
    return { ok: true, body: { token: s.token, role: 'clinician', username: user.username, site: this.site, expires_at: s.expires_at } };
  }

  /** Signs out the clinician session in an Authorization header: refused from now until it expires. */
  logout(header: string | undefined): LogoutOutcome {
    const who = this.authorize(header);
    if (!who) return { ok: false, status: 401, error: 'sign-out: not a valid session of this site' };
    if (who.kind === 'service') return { ok: false, status: 400, error: SERVICE_TOKEN_LOGOUT };
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')![1];
    return this.sessions.revoke(token) ? { ok: true } : { ok: false, status: 401, error: 'sign-out: not a valid session of this site' };
  }

  /** The caller of an Authorization header, or null. */
  authorize(header: string | undefined): Principal | null {
    if (bearerMatches(header, this.serviceToken)) return { kind: 'service' };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!m) return null;
    const p = this.sessions.verify(m[1]);
    if (!p) return null;
    const user = this.users.get(p.sub);
    if (!user || generationOf(user.password_hash) !== p.gen) return null;
    return { kind: 'clinician', username: user.username, site: p.site, expiresAt: p.exp };
  }
}
