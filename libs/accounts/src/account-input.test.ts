import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { accountInput, AccountInputError, accountName, choosePassword } from './account-input.js';

const dir = mkdtempSync(join(tmpdir(), 'unbox-account-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const piped = (text: string) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY: false });
const terminal = () => Object.assign(Readable.from([]), { isTTY: true });

describe('account input', () => {
  it('normalises usernames and names the rule a bad one breaks', () => {
    expect(accountName('Dr.Alice')).toBe('dr.alice');
    expect(() => accountName('a b')).toThrow(AccountInputError);
    expect(() => accountName('a b')).toThrow(/^username "a b": /);
  });

  it('takes the password from a file (one trailing newline dropped), "-" or a pipe, else generates one', async () => {
    const f = join(dir, 'pw');
    writeFileSync(f, 'correct horse\n');
    expect(await choosePassword(f, terminal())).toEqual({ password: 'correct horse', generated: false });
    expect(await choosePassword('-', piped('battery staple\n'))).toEqual({ password: 'battery staple', generated: false });
    expect(await choosePassword(undefined, piped('from a pipe!'))).toEqual({ password: 'from a pipe!', generated: false });
    const g = await choosePassword(undefined, terminal());
    expect(g.generated).toBe(true);
    expect(g.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const empty = await choosePassword(undefined, piped('  \n'));
    expect(empty.generated).toBe(true);
  });

  it('refuses a missing file and a too-short password, saying where it came from', async () => {
    await expect(choosePassword(join(dir, 'nope'), terminal())).rejects.toThrow(/^--password-file .*nope: ENOENT/);
    const f = join(dir, 'short');
    writeFileSync(f, 'short');
    await expect(choosePassword(f, terminal())).rejects.toThrow(/^password in .*short must be at least 8 characters/);
    await expect(choosePassword('-', piped('tiny'))).rejects.toThrow(/^password from stdin must be at least 8 characters/);
  });
});

describe('accountInput (each CLI\'s own error)', () => {
  class CliError extends Error {}
  const { username, choosePassword: choose } = accountInput((m) => new CliError(m));

  it('normalises a good username and turns an input error into the CLI\'s error, same message', async () => {
    expect(await username('Alice')).toBe('alice');
    const err = await username('a b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/^username "a b": /);
    await expect(choose(join(dir, 'missing'))).rejects.toBeInstanceOf(CliError);
  });
});
