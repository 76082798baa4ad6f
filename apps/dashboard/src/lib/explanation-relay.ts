/**
 * The site agent's explanation.json, checked on its way to the browser: a 200 body is parsed with
 * the protocol's schema (@unbox/protocol ExplanationJson), so an explanation that drifted from the
 * contract is a 502 naming the site and the fields that were wrong, not a page that breaks while
 * drawing it. Other answers (202 with progress, errors) pass through untouched. Server-side only:
 * the protocol's index also holds the node:crypto transfer code, which a client bundle cannot take.
 */
import { describeIssues, ExplanationJson } from '@unbox/protocol';

/** Whether a site route (the path after /api/sites/<site>/) is a patient's explanation.json, not one of its PNGs. */
export function isExplanationRoute(parts: string[]): boolean {
  return parts.length === 3 && parts[0] === 'patients' && parts[2] === 'explanation';
}

/** Parses the body of a relayed 200 explanation answer; anything else is returned as it came. */
export async function checkExplanation(res: Response, what: string): Promise<Response> {
  if (res.status !== 200) return res;
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return Response.json({ error: `${what} sent an explanation that is not JSON: ${(e as Error).message}` }, { status: 502 });
  }
  const r = ExplanationJson.safeParse(body);
  if (!r.success) return Response.json({ error: `${what} sent a malformed explanation: ${describeIssues(r.error.issues)}` }, { status: 502 });
  const headers = new Headers(res.headers);
  headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(r.data), { status: 200, headers });
}
