/** GET relay to one site agent's API, for that site's clinicians only; explanation.json is checked against its schema on the way. */
import { siteEndpoint } from '../../../../../lib/config.js';
import { checkExplanation, isExplanationRoute } from '../../../../../lib/explanation-relay.js';
import { forward } from '../../../../../lib/forward.js';
import { sitePath } from '../../../../../lib/proxy.js';
import { authorize } from '../../../../../lib/server-session.js';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ site: string; path: string[] }> }): Promise<Response> {
  const { site, path: parts } = await ctx.params;
  const a = await authorize({ kind: 'site', site });
  if ('refusal' in a) return a.refusal;
  const url = new URL(req.url);
  const path = sitePath(parts, url.search);
  if (!path) return Response.json({ error: `no site route /${parts.join('/')}` }, { status: 404 });
  const ep = siteEndpoint(site);
  if (!ep) return Response.json({ error: `site ${site} is not configured (UNBOX_SITES)` }, { status: 503 });
  const res = await forward(ep.url, path, a.session.token, `site ${site}`, req.signal);
  return isExplanationRoute(parts) ? checkExplanation(res, `site ${site}`) : res;
}
