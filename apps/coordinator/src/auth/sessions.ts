/**
 * Dashboard session tokens: `<base64url JSON {v, sub, role, gen, exp}>.<base64url HMAC-SHA256>`,
 * signed with a 32-byte secret kept in <data>/session-secret (0600, created at first start).
 * `gen` binds the token to the account's current password hash, so removing the user or changing
 * the password ends its sessions. Stateless: nothing to store per login.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const SESSION_TTL_MS = 12 * 3600_000;
/** Domain separation: a site agent's token (other prefix, other secret) never verifies here. */
const PURPOSE = 'unbox-coordinator-session.v1.';

const Payload = z.strictObject({ v: z.literal(1), sub: z.string().min(1).max(64), role: z.literal('admin'), gen: z.string().regex(/^[0-9a-f]{16}$/), exp: z.number().int() });
export type SessionPayload = z.infer<typeof Payload>;

export const sessionSecretPath = (dataDir: string) => join(dataDir, 'session-secret');

export function loadOrCreateSessionSecret(dataDir: string): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const path = sessionSecretPath(dataDir);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process created it first
    }
    chmodSync(path, 0o600);
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new Error(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  const secret = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (secret.length < 32) throw new Error(`${path}: not a session secret (expected base64 of 32 bytes)`);
  return secret;
}

/** 16 hex characters of SHA-256 of the stored password hash. */
export const generationOf = (passwordHash: string) => createHash('sha256').update(passwordHash).digest('hex').slice(0, 16);

export class SessionTokens {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number,
    readonly ttlMs = SESSION_TTL_MS,
  ) {}

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(PURPOSE + body).digest();
  }

  issue(sub: string, passwordHash: string): { token: string; expires_at: number } {
    const exp = this.now() + this.ttlMs;
    const body = Buffer.from(JSON.stringify({ v: 1, sub, role: 'admin', gen: generationOf(passwordHash), exp } satisfies SessionPayload)).toString('base64url');
    return { token: `${body}.${this.mac(body).toString('base64url')}`, expires_at: exp };
  }

  /** The payload of a well-signed, unexpired token; null otherwise (no reason leaks to callers). */
  verify(token: string): SessionPayload | null {
    const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const sig = Buffer.from(m[2], 'base64url');
    // canonical encoding only (the last character's spare bits must be zero): one token per signature
    if (sig.length !== 32 || sig.toString('base64url') !== m[2] || !timingSafeEqual(sig, this.mac(m[1]))) return null;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const p = Payload.safeParse(json);
    if (!p.success || p.data.exp <= this.now()) return null;
    return p.data;
  }
}
