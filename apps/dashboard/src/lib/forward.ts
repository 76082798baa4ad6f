/**
 * Relays one GET to an upstream API (the coordinator or a site agent) with the session's bearer
 * token, streaming the body back. An upstream that cannot be reached is a 502 naming it; an
 * upstream 401 (expired or revoked token) is passed on so the page asks to sign in again.
 */
import { PASSED_HEADERS } from './proxy.js';

export async function forward(base: string, path: string, token: string, what: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal });
  } catch (e) {
    return Response.json({ error: `${what} unreachable at ${base}: ${(e as Error).message}` }, { status: 502 });
  }
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const h of PASSED_HEADERS) {
    const v = res.headers.get(h);
    if (v) headers.set(h, v);
  }
  return new Response(res.body, { status: res.status, headers });
}
