/** Sign-in (POST), who am I (GET), sign-out (DELETE: the upstream token revoked, then the cookie deleted). */
import { cookies } from 'next/headers';
import { z } from 'zod';
import { homeOf } from '../../../lib/access.js';
import { config, sessionKey } from '../../../lib/config.js';
import { login } from '../../../lib/login.js';
import { logoutUpstream } from '../../../lib/logout.js';
import { crossOrigin, currentSession } from '../../../lib/server-session.js';
import { SESSION_COOKIE, sealSession, sessionCookieOptions } from '../../../lib/session.js';

export const dynamic = 'force-dynamic';

const Body = z.strictObject({
  /** 'consortium' or a site id */
  target: z.string().min(1).max(64),
  username: z.string().min(1, 'username: required').max(64),
  password: z.string().min(1, 'password: required').max(1024),
});

export async function POST(req: Request): Promise<Response> {
  if (crossOrigin(req)) return Response.json({ error: 'cross-origin sign-in refused' }, { status: 403 });
  let body: z.infer<typeof Body>;
  try {
    body = Body.parse(await req.json());
  } catch (e) {
    const msg = e instanceof z.ZodError ? e.issues.map((i) => i.message).join('; ') : 'body must be JSON {target, username, password}';
    return Response.json({ error: msg }, { status: 400 });
  }
  const target = body.target === 'consortium' ? ({ kind: 'consortium' } as const) : ({ kind: 'site', site: body.target } as const);
  const out = await login(config(), target, body.username, body.password);
  if (!out.ok) return Response.json({ error: out.error }, { status: out.status });
  const secure = new URL(req.url).protocol === 'https:' || req.headers.get('x-forwarded-proto') === 'https';
  (await cookies()).set(SESSION_COOKIE, sealSession(out.session, sessionKey()), sessionCookieOptions(secure, out.session.exp));
  return Response.json({ role: out.session.role, username: out.session.username, site: out.session.site, home: homeOf(out.session) });
}

export async function GET(): Promise<Response> {
  const s = await currentSession();
  if (!s) return Response.json({ error: 'not signed in' }, { status: 401 });
  return Response.json({ role: s.role, username: s.username, site: s.site, expires_at: s.exp, home: homeOf(s) });
}

export async function DELETE(req: Request): Promise<Response> {
  if (crossOrigin(req)) return Response.json({ error: 'cross-origin sign-out refused' }, { status: 403 });
  const s = await currentSession();
  if (s) {
    // the token must die upstream too (a copy of it would work until it expires); an upstream that
    // cannot be reached is logged, and the dashboard session ends anyway
    const r = await Promise.resolve()
      .then(() => logoutUpstream(config(), s))
      .catch((e: Error) => ({ ok: false as const, reason: e.message }));
    if (!r.ok) console.warn(`sign-out of ${s.role} ${s.username}${s.site ? ` (site ${s.site})` : ''}: ${r.reason}; the dashboard session ended, the upstream token stays valid until it expires`);
  }
  (await cookies()).delete(SESSION_COOKIE);
  return new Response(null, { status: 204 });
}
