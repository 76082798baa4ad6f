/**
 * `unbox-coordinator user add | list | remove | password`: dashboard accounts, written straight
 * into the coordinator database (the same one `serve` uses: DATABASE_URL / --database-url, else
 * <data>/coordinator.db), so the first admin can be created before any sign-in exists. Passwords
 * come from --password-file (`-` = stdin), else piped stdin, else one is generated and printed once.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Password, Username } from '@unbox/protocol';
import { AdminError } from '../admin-client.js';
import { openDatabase } from '../db/connect.js';
import { generatePassword, hashPassword } from '@unbox/accounts';
import { normaliseUsername, UserStore } from './user-store.js';

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

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The password to set and whether it was generated (then it is printed once). */
export async function choosePassword(file: string | undefined): Promise<{ password: string; generated: boolean }> {
  let text: string | null = null;
  if (file === '-') text = await readStdin();
  else if (file) {
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new AdminError(`--password-file ${file}: ${(e as Error).message}`);
    }
  } else if (!process.stdin.isTTY) {
    const piped = await readStdin();
    if (piped.trim() !== '') text = piped;
  }
  if (text === null) return { password: generatePassword(), generated: true };
  const password = text.replace(/\r?\n$/, '');
  const r = Password.safeParse(password);
  if (!r.success) throw new AdminError(`password ${file && file !== '-' ? `in ${file} ` : 'from stdin '}${r.error.issues[0].message}`);
  return { password, generated: false };
}

function username(name: string): string {
  const r = Username.safeParse(name);
  if (!r.success) throw new AdminError(`username "${name}": ${r.error.issues[0].message}`);
  return normaliseUsername(name);
}

export async function userAdd(f: UserDbFlags, name: string, role: string, passwordFile?: string): Promise<Record<string, unknown>> {
  const user = username(name);
  if (role !== 'admin') throw new AdminError(`--role ${role}: the coordinator holds consortium admins only (role admin); clinicians sign in at their site (unbox-site user add)`);
  const { password, generated } = await choosePassword(passwordFile);
  const hash = await hashPassword(password);
  const added = await withUsers(f, (u) => u.add({ username: user, role: 'admin', passwordHash: hash, now: Date.now() }));
  if (!added) throw new AdminError(`user "${user}" already exists (remove it first, or use user password)`);
  return { username: user, role: 'admin', ...(generated ? { password, note: 'generated password: shown only now' } : {}) };
}

export async function userPassword(f: UserDbFlags, name: string, passwordFile?: string): Promise<Record<string, unknown>> {
  const user = username(name);
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
  const user = username(name);
  const ok = await withUsers(f, (u) => u.remove(user));
  if (!ok) throw new AdminError(`no user "${user}"`);
  return { username: user, removed: true };
}
