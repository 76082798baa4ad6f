/**
 * Who may see what (issue #6): the consortium view and the coordinator's API are for consortium
 * admins; a site's view and its agent's API are for that site's clinicians only. The dashboard
 * checks this before it proxies anything; the upstream APIs check their own tokens again.
 */
import type { Session } from './session.js';

export type Area = { kind: 'consortium' } | { kind: 'site'; site: string };
export type Decision = 'ok' | 'signin' | 'forbidden';

export function decide(session: Session | null, area: Area): Decision {
  if (!session) return 'signin';
  if (area.kind === 'consortium') return session.role === 'admin' ? 'ok' : 'forbidden';
  return session.role === 'clinician' && session.site === area.site ? 'ok' : 'forbidden';
}

/** Where a session lands after sign-in. */
export function homeOf(session: Session): string {
  return session.role === 'admin' ? '/consortium' : `/sites/${encodeURIComponent(session.site ?? '')}`;
}
