/**
 * Sign-in against the upstream that owns the account: the coordinator for consortium admins,
 * the site's own agent for its clinicians. Returns the session to seal, or the refusal to show.
 */
import { CoordinatorLoginResponse, SiteLoginResponse } from '@unbox/protocol';
import type { DashboardConfig } from './config.js';
import { sessionExpiry, type Session } from './session.js';

export type LoginTarget = { kind: 'consortium' } | { kind: 'site'; site: string };
export type LoginOutcome = { ok: true; session: Session } | { ok: false; status: number; error: string };

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown } | { unreachable: string }> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), cache: 'no-store' });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = { error: text.slice(0, 200) };
    }
    return { status: res.status, json };
  } catch (e) {
    return { unreachable: (e as Error).message };
  }
}

function upstreamError(json: unknown, fallback: string): string {
  return json && typeof json === 'object' && 'error' in json && typeof json.error === 'string' ? json.error : fallback;
}

export async function login(cfg: DashboardConfig, target: LoginTarget, username: string, password: string, now = Date.now()): Promise<LoginOutcome> {
  if (target.kind === 'consortium') {
    if (!cfg.coordinatorUrl) return { ok: false, status: 503, error: 'no coordinator configured (UNBOX_COORDINATOR_URL)' };
    const r = await post(`${cfg.coordinatorUrl}/api/auth/login`, { username, password });
    if ('unreachable' in r) return { ok: false, status: 502, error: `coordinator unreachable at ${cfg.coordinatorUrl}: ${r.unreachable}` };
    if (r.status !== 200) return { ok: false, status: r.status === 401 ? 401 : 502, error: upstreamError(r.json, `coordinator refused sign-in (HTTP ${r.status})`) };
    const p = CoordinatorLoginResponse.safeParse(r.json);
    if (!p.success) return { ok: false, status: 502, error: `coordinator sent an unexpected sign-in answer: ${p.error.issues[0]?.message}` };
    return { ok: true, session: { role: 'admin', username: p.data.username, site: null, token: p.data.token, exp: sessionExpiry(p.data.expires_at, now) } };
  }
  const ep = cfg.sites.find((s) => s.site === target.site);
  if (!ep) return { ok: false, status: 404, error: `unknown site "${target.site}" (not in UNBOX_SITES)` };
  const r = await post(`${ep.url}/auth/login`, { username, password });
  if ('unreachable' in r) return { ok: false, status: 502, error: `site ${ep.site} unreachable at ${ep.url}: ${r.unreachable}` };
  if (r.status !== 200) return { ok: false, status: r.status === 401 ? 401 : 502, error: upstreamError(r.json, `site ${ep.site} refused sign-in (HTTP ${r.status})`) };
  const p = SiteLoginResponse.safeParse(r.json);
  if (!p.success) return { ok: false, status: 502, error: `site ${ep.site} sent an unexpected sign-in answer: ${p.error.issues[0]?.message}` };
  if (p.data.site !== ep.site) return { ok: false, status: 502, error: `the agent at ${ep.url} serves site ${p.data.site}, not ${ep.site}` };
  return { ok: true, session: { role: 'clinician', username: p.data.username, site: p.data.site, token: p.data.token, exp: sessionExpiry(p.data.expires_at, now) } };
}
