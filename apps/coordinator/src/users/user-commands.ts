/**
 * `unbox-coordinator user add | list | remove | password`: dashboard accounts, written straight
 * into the coordinator database (the same one `serve` uses: DATABASE_URL / --database-url, else
 * <data>/coordinator.db), so the first admin can be created before any sign-in exists. Passwords
 * come from --password-file (`-` = stdin), else piped stdin, else one is generated and printed once.
 */
import { join, resolve } from 'node:path';
import { AdminError } from '../admin-client.js';
import { openDatabase } from '../db/connect.js';
import { accountInput, hashPassword } from '@unbox/accounts';
import { UserStore } from './user-store.js';

export interface UserDbFlags {
  data?: string;
  databaseUrl?: string;
}

async function withUsers<T>(f: UserDbFlags, fn: (u: UserStore) => Promise<T>): Promise<T> {
  // databaseUrl '' (explicitly none) means SQLite even when DATABASE_URL is set
  const url = (f.databaseUrl ?? process.env.DATABASE_URL)?.trim() || undefined;
  let db;
  try {
    db = await openDatabase({ url, sqlitePath: join(resolve(f.data ?? 'coordinator-data'), 'coordinator.db') });
  } catch (e) {
    throw new AdminError(`cannot open the coordinator database: ${(e as Error).message}`);
  }
  try {
    return await fn(new UserStore(db.db));
  } finally {
    await db.close();
  }
}

/** The operator's input (username, password), with its errors as the admin CLI's (one line, exit 1). */
const { username, choosePassword } = accountInput((m) => new AdminError(m));

export async function userAdd(f: UserDbFlags, name: string, role: string, passwordFile?: string): Promise<Record<string, unknown>> {
  const user = await username(name);
  if (role !== 'admin') throw new AdminError(`--role ${role}: the coordinator holds consortium admins only (role admin); clinicians sign in at their site (unbox-site user add)`);
  const { password, generated } = await choosePassword(passwordFile);
  const hash = await hashPassword(password);
  const added = await withUsers(f, (u) => u.add({ username: user, role: 'admin', passwordHash: hash, now: Date.now() }));
  if (!added) throw new AdminError(`user "${user}" already exists (remove it first, or use user password)`);
  return { username: user, role: 'admin', ...(generated ? { password, note: 'generated password: shown only now' } : {}) };
}

export async function userPassword(f: UserDbFlags, name: string, passwordFile?: string): Promise<Record<string, unknown>> {
  const user = await username(name);
  const { password, generated } = await choosePassword(passwordFile);
  const hash = await hashPassword(password);
  const ok = await withUsers(f, (u) => u.setPassword(user, hash, Date.now()));
  if (!ok) throw new AdminError(`no user "${user}"`);
  return { username: user, sessions: 'ended', ...(generated ? { password, note: 'generated password: shown only now' } : {}) };
}

export async function userList(f: UserDbFlags): Promise<Record<string, unknown>> {
  return { users: await withUsers(f, (u) => u.list()) };
}

export async function userRemove(f: UserDbFlags, name: string): Promise<Record<string, unknown>> {
  const user = await username(name);
  const ok = await withUsers(f, (u) => u.remove(user));
  if (!ok) throw new AdminError(`no user "${user}"`);
  return { username: user, removed: true };
}
