/**
 * The dashboard's configuration, from its environment: where the coordinator is, which sites it
 * knows (each site's own agent API) and the key that seals session cookies. Parsing is pure; a bad
 * value is an error naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface SiteEndpoint {
  site: string;
  url: string;
}

export interface DashboardConfig {
  coordinatorUrl: string | null;
  sites: SiteEndpoint[];
}

const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function httpUrl(variable: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${variable}: "${raw}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${variable}: "${raw}" is not an http(s) URL`);
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** `UNBOX_SITES='A=http://127.0.0.1:8731,B=http://...'` → one endpoint per site, in order. */
export function parseSites(raw: string | undefined): SiteEndpoint[] {
  if (!raw?.trim()) return [];
  const out: SiteEndpoint[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`UNBOX_SITES: "${part}" is not SITE=URL`);
    const site = part.slice(0, eq).trim();
    if (!SITE_ID.test(site)) throw new Error(`UNBOX_SITES: "${site}" is not a site id (letters, digits, _ and -)`);
    if (out.some((s) => s.site === site)) throw new Error(`UNBOX_SITES: site "${site}" is listed twice`);
    out.push({ site, url: httpUrl('UNBOX_SITES', part.slice(eq + 1).trim()) });
  }
  return out;
}

export function parseConfig(env: Record<string, string | undefined>): DashboardConfig {
  const c = env.UNBOX_COORDINATOR_URL?.trim();
  return { coordinatorUrl: c ? httpUrl('UNBOX_COORDINATOR_URL', c) : null, sites: parseSites(env.UNBOX_SITES) };
}

/** The key (32 bytes) that seals session cookies: UNBOX_DASHBOARD_SECRET (64 hex digits) or the file
 * UNBOX_DASHBOARD_SECRET_FILE holds; without either, a random key for this process (sessions end
 * when the dashboard restarts). */
export function parseSessionKey(env: Record<string, string | undefined>, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Buffer | null {
  let hex = env.UNBOX_DASHBOARD_SECRET?.trim();
  let from = 'UNBOX_DASHBOARD_SECRET';
  if (!hex && env.UNBOX_DASHBOARD_SECRET_FILE) {
    from = `UNBOX_DASHBOARD_SECRET_FILE (${env.UNBOX_DASHBOARD_SECRET_FILE})`;
    try {
      hex = readFile(env.UNBOX_DASHBOARD_SECRET_FILE).trim();
    } catch (e) {
      throw new Error(`${from}: cannot read: ${(e as Error).message}`);
    }
  }
  if (!hex) return null;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${from}: expected 64 hex digits (32 bytes)`);
  return Buffer.from(hex, 'hex');
}

const g = globalThis as { __unboxDashboardKey?: Buffer };

export function config(): DashboardConfig {
  return parseConfig(process.env);
}

export function sessionKey(): Buffer {
  return (g.__unboxDashboardKey ??= parseSessionKey(process.env) ?? randomBytes(32));
}

export function siteEndpoint(site: string): SiteEndpoint | undefined {
  return config().sites.find((s) => s.site === site);
}
