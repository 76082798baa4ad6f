/**
 * `unbox-site user add | list | remove | password --site-dir <dir>`: this site's clinician accounts
 * for the dashboard's site view, kept in <site-dir>/users.json (scrypt hashes, mode 0600). The
 * running `serve` picks changes up at once. Passwords come from --password-file (`-` = stdin),
 * else piped stdin, else one is generated and printed once.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { Password, Username } from '@unbox/protocol';
import { UserError } from '../errors.js';
import { generatePassword, hashPassword } from '@unbox/accounts';
import { normaliseUsername, readUsers, usersPath, writeUsers } from '../serve/users.js';

const siteDirOption = () => new Option('--site-dir <dir>', 'site folder holding users.json').default(process.env.UNBOX_SITE_DIR ?? 'site');
const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function choosePassword(file: string | undefined): Promise<{ password: string; generated: boolean }> {
  let text: string | null = null;
  if (file === '-') text = await readStdin();
  else if (file) {
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UserError(`--password-file ${file}: ${(e as Error).message}`);
    }
  } else if (!process.stdin.isTTY) {
    const piped = await readStdin();
    if (piped.trim() !== '') text = piped;
  }
  if (text === null) return { password: generatePassword(), generated: true };
  const password = text.replace(/\r?\n$/, '');
  const r = Password.safeParse(password);
  if (!r.success) throw new UserError(`password ${file && file !== '-' ? `in ${file} ` : 'from stdin '}${r.error.issues[0].message}`);
  return { password, generated: false };
}

function username(name: string): string {
  const r = Username.safeParse(name);
  if (!r.success) throw new UserError(`username "${name}": ${r.error.issues[0].message}`);
  return normaliseUsername(name);
}

export function createUserCommand(): Command {
  const user = new Command('user').description("this site's clinician accounts (sign-in to the site view of the dashboard through `serve`)");
  user
    .command('add <username>')
    .description('add a clinician; password from --password-file, piped stdin, or generated and printed once')
    .addOption(siteDirOption())
    .option('--password-file <file>', "file holding the password ('-' = stdin)")
    .action(async (name: string, f: { siteDir: string; passwordFile?: string }) => {
      const u = username(name);
      const path = usersPath(f.siteDir);
      const users = readUsers(path);
      if (users.some((x) => x.username === u)) throw new UserError(`user "${u}" already exists in ${path} (remove it first, or use user password)`);
      const { password, generated } = await choosePassword(f.passwordFile);
      users.push({ username: u, role: 'clinician', password_hash: await hashPassword(password), created_at: Date.now() });
      writeUsers(path, users);
      print({ username: u, role: 'clinician', users_file: path, ...(generated ? { password, note: 'generated password: shown only now' } : {}) });
    });
  user
    .command('list')
    .addOption(siteDirOption())
    .action((f: { siteDir: string }) => {
      print({ users: readUsers(usersPath(f.siteDir)).map((u) => ({ username: u.username, role: u.role, created_at: u.created_at })) });
    });
  user
    .command('remove <username>')
    .description("remove a clinician (the account's sessions stop working at once)")
    .addOption(siteDirOption())
    .action((name: string, f: { siteDir: string }) => {
      const u = username(name);
      const path = usersPath(f.siteDir);
      const users = readUsers(path);
      if (!users.some((x) => x.username === u)) throw new UserError(`no user "${u}" in ${path}`);
      writeUsers(path, users.filter((x) => x.username !== u));
      print({ username: u, removed: true });
    });
  user
    .command('password <username>')
    .description("set a new password (ends the account's sessions)")
    .addOption(siteDirOption())
    .option('--password-file <file>', "file holding the password ('-' = stdin)")
    .action(async (name: string, f: { siteDir: string; passwordFile?: string }) => {
      const u = username(name);
      const path = usersPath(f.siteDir);
      const users = readUsers(path);
      const row = users.find((x) => x.username === u);
      if (!row) throw new UserError(`no user "${u}" in ${path}`);
      const { password, generated } = await choosePassword(f.passwordFile);
      row.password_hash = await hashPassword(password);
      writeUsers(path, users);
      print({ username: u, sessions: 'ended', ...(generated ? { password, note: 'generated password: shown only now' } : {}) });
    });
  return user;
}
