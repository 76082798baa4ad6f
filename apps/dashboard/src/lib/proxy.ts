/**
 * Which upstream GET routes the dashboard relays, and to what path. Only the read routes the views
 * need are allowed (everything else is 404 here, before any upstream is asked); path segments are
 * checked and re-encoded, so a crafted id cannot walk out of its route.
 */

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PNG = /^[A-Za-z0-9_]{1,64}\.png$/;
const INDEX_PNG = /^\d{1,5}\.png$/;
const INT = /^\d{1,6}$/;

type Rule = (string | RegExp)[];

/** coordinator routes, under /api (admin only) */
const COORDINATOR: Rule[] = [
  ['runs'],
  ['runs', SEGMENT],
  ['runs', SEGMENT, 'rounds'],
  ['runs', SEGMENT, 'rounds', INT, 'tsne'],
  ['runs', SEGMENT, 'metrics'],
  ['models'],
  ['sites'],
];

/** site agent routes (that site's clinicians only) */
const SITE: Rule[] = [
  ['site'],
  ['patients'],
  ['patients', SEGMENT, 'volume'],
  ['patients', SEGMENT, 'explanation'],
  ['patients', SEGMENT, 'explanation', PNG],
  ['patients', SEGMENT, 'slices', INDEX_PNG],
  ['patients', SEGMENT, 'segmentation', INDEX_PNG],
  ['patients', SEGMENT, 'latent-dice'],
];

function matches(rule: Rule, parts: string[]): boolean {
  return rule.length === parts.length && rule.every((r, i) => (typeof r === 'string' ? r === parts[i] : r.test(parts[i])));
}

function path(rules: Rule[], parts: string[], prefix: string, search: string): string | null {
  if (!rules.some((r) => matches(r, parts))) return null;
  const q = new URLSearchParams(search);
  const qs = q.toString();
  return `${prefix}/${parts.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}

/** `/api/coordinator/<parts>?<search>` → the coordinator's `/api/<parts>?<search>`, or null. */
export function coordinatorPath(parts: string[], search = ''): string | null {
  return path(COORDINATOR, parts, '/api', search);
}

/** `/api/sites/<site>/<parts>?<search>` → the site agent's `/<parts>?<search>`, or null. */
export function sitePath(parts: string[], search = ''): string | null {
  return path(SITE, parts, '', search);
}

/** Response headers passed back from upstream (no cookies, no upstream auth challenges). */
export const PASSED_HEADERS = ['content-type', 'retry-after', 'x-unbox-status', 'x-unbox-cache-key'];
