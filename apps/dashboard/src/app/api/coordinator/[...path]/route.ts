/** GET relay to the coordinator's read API, for consortium admins only. */
import { config } from '../../../../lib/config.js';
import { forward } from '../../../../lib/forward.js';
import { coordinatorPath } from '../../../../lib/proxy.js';
import { authorize } from '../../../../lib/server-session.js';

export const dynamic = 'force-dynamic';

export async function GET(req: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const a = await authorize({ kind: 'consortium' });
  if ('refusal' in a) return a.refusal;
  const { path: parts } = await ctx.params;
  const url = new URL(req.url);
  const path = coordinatorPath(parts, url.search);
  if (!path) return Response.json({ error: `no coordinator route /${parts.join('/')}` }, { status: 404 });
  const base = config().coordinatorUrl;
  if (!base) return Response.json({ error: 'no coordinator configured (UNBOX_COORDINATOR_URL)' }, { status: 503 });
  return forward(base, path, a.session.token, 'coordinator', req.signal);
}
