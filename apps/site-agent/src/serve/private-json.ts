/**
 * A site's private JSON files (users.json, revoked-tokens.json): written whole or not at all
 * (temporary file + rename), readable by the service account only (0600, folder 0700).
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writePrivateJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask may have narrowed the mode, never widened: set it exactly
  renameSync(tmp, path);
}
