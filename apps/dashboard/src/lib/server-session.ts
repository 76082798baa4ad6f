/** The current request's session (Next.js server side: pages and route handlers). */
import { cookies } from 'next/headers';
import { decide, type Area } from './access.js';
import { sessionKey } from './config.js';
import { openSession, SESSION_COOKIE, type Session } from './session.js';

export async function currentSession(): Promise<Session | null> {
  return openSession((await cookies()).get(SESSION_COOKIE)?.value, sessionKey());
}

/** The session when it may enter `area`, else the JSON refusal to send (401 or 403). */
export async function authorize(area: Area): Promise<{ session: Session } | { refusal: Response }> {
  const session = await currentSession();
  const d = decide(session, area);
  if (d === 'ok' && session) return { session };
  if (d === 'signin') return { refusal: Response.json({ error: 'not signed in' }, { status: 401 }) };
  const what = area.kind === 'consortium' ? 'the consortium view is for consortium admins' : `site ${area.site} is for its own clinicians`;
  return { refusal: Response.json({ error: `forbidden: ${what}` }, { status: 403 }) };
}

/** Refuses a state-changing request sent from another origin (with SameSite=Strict, belt and braces). */
export function crossOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.get('host');
  } catch {
    return true;
  }
}
