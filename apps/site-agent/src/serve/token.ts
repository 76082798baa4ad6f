/**
 * The serve API's bearer token: 32 random bytes (hex), generated at first start and stored with
 * mode 0600 in the site folder; a token file readable by group or others is refused, as the
 * site identity is. Comparison is constant-time (SHA-256 of both sides, then timingSafeEqual,
 * so neither content nor length leaks through timing).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

export function ensureToken(path: string): { token: string; created: boolean } {
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) throw new UserError(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
    const token = readFileSync(path, 'utf8').trim();
    if (!/^[A-Za-z0-9._~+/-]{32,}=*$/.test(token)) throw new UserError(`${path}: not a token (expected at least 32 token characters on one line)`);
    return { token, created: false };
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return { token, created: true };
}

/** Does an Authorization header carry this bearer token? Constant-time in the token's content. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = createHash('sha256').update(m ? m[1] : '').digest();
  const want = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, want) && m !== null;
}
