/**
 * The site's clinician accounts: <site-dir>/users.json (mode 0600, written atomically), holding
 * usernames (lower-case), role and scrypt hashes only. `unbox-site user` edits it; the serve API
 * re-reads it when it changes, so an account added or removed takes effect without a restart.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { writePrivateJson } from './private-json.js';

export const usersPath = (siteDir: string) => join(siteDir, 'users.json');

const UserRow = z.strictObject({ username: z.string().min(1).max(64), role: z.literal('clinician'), password_hash: z.string().startsWith('scrypt$'), created_at: z.number().int() });
export const UsersFile = z.strictObject({ version: z.literal(1), users: z.array(UserRow) });
export type UserRow = z.infer<typeof UserRow>;

import { normaliseUsername } from '@unbox/accounts';

export { normaliseUsername };

export function readUsers(path: string): UserRow[] {
  if (!existsSync(path)) return [];
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new UserError(`${path}: readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not JSON (${(e as Error).message})`);
  }
  const r = UsersFile.safeParse(json);
  if (!r.success) throw new UserError(`${path}: ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  return r.data.users;
}

export function writeUsers(path: string, users: UserRow[]): void {
  writePrivateJson(path, { version: 1, users } satisfies z.infer<typeof UsersFile>);
}

/** users.json as the serve API sees it: re-read when its mtime or size changes. */
export class UserDirectory {
  private cache: { stamp: string; users: Map<string, UserRow> } | null = null;

  constructor(readonly path: string) {}

  get(username: string): UserRow | undefined {
    let stamp = 'absent';
    if (existsSync(this.path)) {
      const st = statSync(this.path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    }
    if (this.cache?.stamp !== stamp) this.cache = { stamp, users: new Map(readUsers(this.path).map((u) => [u.username, u])) };
    return this.cache.users.get(normaliseUsername(username));
  }
}
