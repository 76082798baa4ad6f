/**
 * `unbox-site user add | list | remove | password --site-dir <dir>`: this site's clinician accounts
 * for the dashboard's site view, kept in <site-dir>/users.json (scrypt hashes, mode 0600). The
 * running `serve` picks changes up at once. Passwords come from --password-file (`-` = stdin),
 * else piped stdin, else one is generated and printed once.
 */
import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import { accountInput, hashPassword } from '@unbox/accounts';
import { readUsers, usersPath, writeUsers } from '../serve/users.js';

const siteDirOption = () => new Option('--site-dir <dir>', 'site folder holding users.json').default(process.env.UNBOX_SITE_DIR ?? 'site');
const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** The operator's input (username, password), with its errors as this CLI's UserError (one line, exit 1). */
const { username, choosePassword } = accountInput((m) => new UserError(m));

const passwordFileOption = () => new Option('--password-file <file>', "file holding the password ('-' = stdin)");
/** A generated password is printed once, with a note saying so; a chosen one never is. */
const shownOnce = (c: { password: string; generated: boolean }) => (c.generated ? { password: c.password, note: 'generated password: shown only now' } : {});

/** The checked username and this site's accounts file, read. */
async function accounts(name: string, siteDir: string) {
  const u = await username(name);
  const path = usersPath(siteDir);
  return { u, path, users: readUsers(path) };
}

export function createUserCommand(): Command {
  const user = new Command('user').description("this site's clinician accounts (sign-in to the site view of the dashboard through `serve`)");
  user
    .command('add <username>')
    .description('add a clinician; password from --password-file, piped stdin, or generated and printed once')
    .addOption(siteDirOption())
    .addOption(passwordFileOption())
    .action(async (name: string, f: { siteDir: string; passwordFile?: string }) => {
      const { u, path, users } = await accounts(name, f.siteDir);
      if (users.some((x) => x.username === u)) throw new UserError(`user "${u}" already exists in ${path} (remove it first, or use user password)`);
      const chosen = await choosePassword(f.passwordFile);
      users.push({ username: u, role: 'clinician', password_hash: await hashPassword(chosen.password), created_at: Date.now() });
      writeUsers(path, users);
      print({ username: u, role: 'clinician', users_file: path, ...shownOnce(chosen) });
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
    .action(async (name: string, f: { siteDir: string }) => {
      const { u, path, users } = await accounts(name, f.siteDir);
      if (!users.some((x) => x.username === u)) throw new UserError(`no user "${u}" in ${path}`);
      writeUsers(path, users.filter((x) => x.username !== u));
      print({ username: u, removed: true });
    });
  user
    .command('password <username>')
    .description("set a new password (ends the account's sessions)")
    .addOption(siteDirOption())
    .addOption(passwordFileOption())
    .action(async (name: string, f: { siteDir: string; passwordFile?: string }) => {
      const { u, path, users } = await accounts(name, f.siteDir);
      const row = users.find((x) => x.username === u);
      if (!row) throw new UserError(`no user "${u}" in ${path}`);
      const chosen = await choosePassword(f.passwordFile);
      row.password_hash = await hashPassword(chosen.password);
      writeUsers(path, users);
      print({ username: u, sessions: 'ended', ...shownOnce(chosen) });
    });
  return user;
}
