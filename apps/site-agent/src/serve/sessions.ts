/**
 * Clinician session tokens of one site: `<base64url JSON {v, sub, role, site, gen, exp}>.<base64url
 * HMAC-SHA256>`, signed with this site's own secret <site-dir>/session-secret (32 bytes, 0600,
 * created at first start). A token of site A never verifies at site B (other secret), nor at the
 * coordinator (other secret and purpose prefix). `gen` ties it to the account's password hash, so
 * removing the account or changing its password ends its sessions.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';

export const SESSION_TTL_MS = 12 * 3600_000;
const PURPOSE = 'unbox-site-session.v1.';

const Payload = z.strictObject({ v: z.literal(1), sub: z.string().min(1).max(64), role: z.literal('clinician'), site: z.string().min(1).max(128), gen: z.string().regex(/^[0-9a-f]{16}$/), exp: z.number().int() });
export type SiteSessionPayload = z.infer<typeof Payload>;

export const sessionSecretPath = (siteDir: string) => join(siteDir, 'session-secret');

export function loadOrCreateSessionSecret(siteDir: string): Buffer {
  mkdirSync(siteDir, { recursive: true, mode: 0o700 });
  const path = sessionSecretPath(siteDir);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    chmodSync(path, 0o600);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new UserError(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new UserError(`${path}: not a session secret (expected base64 of 32 bytes)`);
  return secret;
}

export const generationOf = (passwordHash: string) => createHash('sha256').update(passwordHash).digest('hex').slice(0, 16);

export class SiteSessions {
  constructor(
    private readonly secret: Buffer,
    readonly site: string,
    private readonly now: () => number = Date.now,
    readonly ttlMs = SESSION_TTL_MS,
  ) {}

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(PURPOSE + body).digest();
  }

  issue(sub: string, passwordHash: string): { token: string; expires_at: number } {
    const exp = this.now() + this.ttlMs;
    const body = Buffer.from(JSON.stringify({ v: 1, sub, role: 'clinician', site: this.site, gen: generationOf(passwordHash), exp } satisfies SiteSessionPayload)).toString('base64url');
    return { token: `${body}.${this.mac(body).toString('base64url')}`, expires_at: exp };
  }

  /** The payload of a well-signed, unexpired token of this site; null otherwise. */
  verify(token: string): SiteSessionPayload | null {
    const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const sig = Buffer.from(m[2], 'base64url');
    if (sig.length !== 32 || sig.toString('base64url') !== m[2] || !timingSafeEqual(sig, this.mac(m[1]))) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const p = Payload.safeParse(json);
    if (!p.success || p.data.exp <= this.now() || p.data.site !== this.site) return null;
    return p.data;
  }
}
