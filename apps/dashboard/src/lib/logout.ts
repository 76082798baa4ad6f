/**
 * Sign-out upstream: the session token sealed in the cookie is revoked where it was issued (the
 * coordinator's POST /api/auth/logout for a consortium admin, the site agent's POST /auth/logout
 * for its clinician), so a copy of it stops working too. The caller deletes the cookie whatever
 * this answers: an unreachable upstream must not keep anyone signed in to the dashboard.
 */
import type { DashboardConfig } from './config.js';
import type { Session } from './session.js';

/** How long sign-out waits for the upstream before giving up (the cookie goes anyway). */
export const LOGOUT_TIMEOUT_MS = 5000;

export type LogoutTarget = { url: string; upstream: string } | { none: string };

/** Where the session's token is revoked, or why there is nowhere to send it. */
export function logoutTarget(cfg: DashboardConfig, s: Pick<Session, 'role' | 'site'>): LogoutTarget {
  if (s.role === 'admin') {
    if (!cfg.coordinatorUrl) return { none: 'no coordinator configured (UNBOX_COORDINATOR_URL)' };
    return { url: `${cfg.coordinatorUrl}/api/auth/logout`, upstream: `coordinator at ${cfg.coordinatorUrl}` };
  }
  const ep = cfg.sites.find((e) => e.site === s.site);
  if (!ep) return { none: `site "${s.site}" is not in UNBOX_SITES` };
  return { url: `${ep.url}/auth/logout`, upstream: `site ${ep.site} at ${ep.url}` };
}

/**
 * ok: revoked (204), or already dead there (401: expired, revoked, password changed); otherwise
 * the reason to log.
 */
export type LogoutOutcome = { ok: true; already: boolean } | { ok: false; reason: string };

export async function logoutUpstream(cfg: DashboardConfig, s: Session, timeoutMs = LOGOUT_TIMEOUT_MS): Promise<LogoutOutcome> {
  const t = logoutTarget(cfg, s);
  if ('none' in t) return { ok: false, reason: `upstream sign-out skipped: ${t.none}` };
  let res: Response;
  try {
    res = await fetch(t.url, { method: 'POST', headers: { authorization: `Bearer ${s.token}` }, cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    return { ok: false, reason: `${t.upstream} unreachable for sign-out: ${(e as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  if (res.status === 204 || res.status === 200) return { ok: true, already: false };
  if (res.status === 401) return { ok: true, already: true };
  return { ok: false, reason: `${t.upstream} refused sign-out (HTTP ${res.status}): ${text.slice(0, 200)}` };
}
