/**
 * The dashboard session: who signed in (role, site) and the upstream session token the coordinator
 * or the site agent issued, sealed with AES-256-GCM into one httpOnly, SameSite=Strict cookie. The
 * browser cannot read or alter it (a changed byte fails the GCM tag) and never sees the token.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const SESSION_COOKIE = 'unbox_session';
/** Upper bound of a session, whatever the upstream token says (the contract's 12 h). */
export const SESSION_MAX_MS = 12 * 3600 * 1000;

export const Session = z.strictObject({
  role: z.enum(['admin', 'clinician']),
  username: z.string().min(1).max(64),
  /** the clinician's site; null for a consortium admin */
  site: z.string().min(1).max(64).nullable(),
  /** upstream session token (coordinator or site agent) */
  token: z.string().min(1).max(4096),
  /** ms since epoch */
  exp: z.number().int().positive(),
});
export type Session = z.infer<typeof Session>;

const b64u = (b: Buffer) => b.toString('base64url');

export function sealSession(s: Session, key: Buffer): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(JSON.stringify(Session.parse(s)), 'utf8'), c.final()]);
  return `${b64u(iv)}.${b64u(c.getAuthTag())}.${b64u(body)}`;
}

/** The session in a cookie value, or null when absent, forged, altered, malformed or expired. */
export function openSession(value: string | undefined, key: Buffer, now = Date.now()): Session | null {
  if (!value) return null;
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  try {
    const [iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) return null;
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAuthTag(tag);
    const json = Buffer.concat([d.update(body), d.final()]).toString('utf8');
    const s = Session.safeParse(JSON.parse(json));
    if (!s.success || s.data.exp <= now) return null;
    return s.data;
  } catch {
    return null;
  }
}

export function sessionExpiry(upstreamExpiresAt: number | undefined, now = Date.now()): number {
  const cap = now + SESSION_MAX_MS;
  return upstreamExpiresAt && upstreamExpiresAt > now ? Math.min(upstreamExpiresAt, cap) : cap;
}

/** Cookie attributes: httpOnly, SameSite=Strict, whole site; Secure when served over https. */
export function sessionCookieOptions(secure: boolean, exp: number, now = Date.now()) {
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure, maxAge: Math.max(0, Math.floor((exp - now) / 1000)) };
}
