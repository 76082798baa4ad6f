/**
 * What an operator types for `user add | password` (coordinator and site agent alike): the
 * username, checked and normalised, and the password, from --password-file (`-` = stdin), else
 * piped stdin, else generated (then printed once by the command). Errors are AccountInputError,
 * naming the flag or source, for each CLI to report in its own way.
 */
import { readFile } from 'node:fs/promises';
import { Password, Username } from '@unbox/protocol';
import { generatePassword } from './passwords.js';

export class AccountInputError extends Error {}

/** Usernames compare case-insensitively, without surrounding spaces. */
export const normaliseUsername = (u: string) => u.trim().toLowerCase();

/** A checked, normalised username; AccountInputError naming the rule it breaks. */
export function accountName(name: string): string {
  const r = Username.safeParse(name);
  if (!r.success) throw new AccountInputError(`username "${name}": ${r.error.issues[0].message}`);
  return normaliseUsername(name);
}

async function readAll(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The password to set and whether it was generated. `stdin` is injectable for tests. */
export async function choosePassword(
  file: string | undefined,
  stdin: AsyncIterable<unknown> & { isTTY?: boolean } = process.stdin,
): Promise<{ password: string; generated: boolean }> {
  let text: string | null = null;
  if (file === '-') text = await readAll(stdin);
  else if (file) {
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new AccountInputError(`--password-file ${file}: ${(e as Error).message}`);
    }
  } else if (!stdin.isTTY) {
    const piped = await readAll(stdin);
    if (piped.trim() !== '') text = piped;
  }
  if (text === null) return { password: generatePassword(), generated: true };
  const password = text.replace(/\r?\n$/, '');
  const r = Password.safeParse(password);
  if (!r.success) throw new AccountInputError(`password ${file && file !== '-' ? `in ${file} ` : 'from stdin '}${r.error.issues[0].message}`);
  return { password, generated: false };
}

/**
 * The two inputs with AccountInputError turned into the calling CLI's own error (`asError`), so
 * each CLI reports them its way (one line, its exit code) without re-wrapping them itself.
 */
export function accountInput(asError: (message: string) => Error): {
  username: (name: string) => Promise<string>;
  choosePassword: (file: string | undefined) => Promise<{ password: string; generated: boolean }>;
} {
  const input = async <T>(f: () => T | Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof AccountInputError) throw asError(e.message);
      throw e;
    }
  };
  return { username: (name) => input(() => accountName(name)), choosePassword: (file) => input(() => choosePassword(file)) };
}
