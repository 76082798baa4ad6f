import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardConfig } from './config.js';
import { logoutTarget, logoutUpstream } from './logout.js';
import type { Session } from './session.js';

// A plain HTTP server standing in for the coordinator and a site agent (their own logout routes are
// tested in apps/coordinator and apps/site-agent): it records what sign-out sends and answers
// 204, 401 (token already dead), 500, or not at all (hangs).
let server: Server;
let base = '';
const seen: { method?: string; url?: string; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, auth: req.headers.authorization });
    const tok = req.headers.authorization?.slice('Bearer '.length);
    if (tok === 'hang') return; // never answers
    res.writeHead(tok === 'dead' ? 401 : tok === 'broken' ? 500 : 204, tok === 'broken' ? { 'content-type': 'application/json' } : {});
    res.end(tok === 'broken' ? JSON.stringify({ error: 'disk full' }) : tok === 'dead' ? '{"error":"no"}' : undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

const cfg = (): DashboardConfig => ({ coordinatorUrl: `${base}/coord`, sites: [{ site: 'A', url: `${base}/site-a` }, { site: 'B', url: `${base}/site-b` }] });
const admin = (token: string): Session => ({ role: 'admin', username: 'alice', site: null, token, exp: Date.now() + 60_000 });
const clinician = (site: string, token: string): Session => ({ role: 'clinician', username: 'dr.who', site, token, exp: Date.now() + 60_000 });

describe('upstream sign-out', () => {
  it('sends an admin to the coordinator and a clinician to their own site agent', () => {
    expect(logoutTarget(cfg(), admin('t'))).toEqual({ url: `${base}/coord/api/auth/logout`, upstream: `coordinator at ${base}/coord` });
    expect(logoutTarget(cfg(), clinician('B', 't'))).toEqual({ url: `${base}/site-b/auth/logout`, upstream: `site B at ${base}/site-b` });
    expect(logoutTarget({ coordinatorUrl: null, sites: [] }, admin('t'))).toEqual({ none: 'no coordinator configured (UNBOX_COORDINATOR_URL)' });
    expect(logoutTarget(cfg(), clinician('C', 't'))).toEqual({ none: 'site "C" is not in UNBOX_SITES' });
  });

  it('POSTs the sealed token as the bearer; 204 revoked, 401 already dead', async () => {
    expect(await logoutUpstream(cfg(), admin('tok-1'))).toEqual({ ok: true, already: false });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/coord/api/auth/logout', auth: 'Bearer tok-1' });
    expect(await logoutUpstream(cfg(), clinician('A', 'tok-2'))).toEqual({ ok: true, already: false });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/site-a/auth/logout', auth: 'Bearer tok-2' });
    expect(await logoutUpstream(cfg(), clinician('A', 'dead'))).toEqual({ ok: true, already: true });
  });

  it('reports (does not throw) a refusal, an unreachable or silent upstream, and a missing one', async () => {
    expect(await logoutUpstream(cfg(), admin('broken'))).toEqual({ ok: false, reason: `coordinator at ${base}/coord refused sign-out (HTTP 500): {"error":"disk full"}` });
    const silent = await logoutUpstream(cfg(), admin('hang'), 200);
    expect(silent).toMatchObject({ ok: false, reason: expect.stringMatching(new RegExp(`^coordinator at ${base}/coord unreachable for sign-out: .*(timeout|aborted)`, 'i')) });
    const closed = await logoutUpstream({ coordinatorUrl: 'http://127.0.0.1:9', sites: [] }, admin('t'));
    expect(closed).toMatchObject({ ok: false, reason: expect.stringMatching(/^coordinator at http:\/\/127\.0\.0\.1:9 unreachable for sign-out: /) });
    expect(await logoutUpstream(cfg(), clinician('Z', 't'))).toEqual({ ok: false, reason: 'upstream sign-out skipped: site "Z" is not in UNBOX_SITES' });
  });
});
