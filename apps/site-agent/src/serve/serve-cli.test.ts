/**
 * End to end: the real `unbox-site serve` process binds loopback, writes its token 0600 into the
 * site folder at first start, refuses a request without it and serves /patients with it; a second
 * start reuses the token; SIGTERM stops it cleanly. A clinician added by the real `unbox-site user`
 * process signs in to it, and it serves a classifier and a segmenter together.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFixture, type ExplainFixture } from '../explain/testing-fixture.js';

const bin = resolve(import.meta.dirname, '../../bin/unbox-site.js');
let fx: ExplainFixture;

beforeAll(async () => {
  fx = await explainFixture();
}, 120_000);

afterAll(async () => {
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

function start(siteDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, '--log-level', 'warn', 'serve', '--model', fx.classifier, fx.segmenter, '--manifest', fx.manifest, '--port', '0', '--site-dir', siteDir, '--site', 'centre-a'], {
    env: { ...process.env, UNBOX_BACKEND: 'wasm' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(http:\/\/\S+)\n/m.exec(out);
      if (m) ok({ child, url: m[1] });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
}

const stop = (child: ChildProcess) => new Promise<number | null>((ok) => {
  child.on('exit', (code) => ok(code));
  child.kill('SIGTERM');
});

describe('unbox-site serve (process)', () => {
  it('binds 127.0.0.1, creates the token 0600 once, authenticates, and stops on SIGTERM', async () => {
    const siteDir = join(fx.dir, 'site');
    const a = await start(siteDir);
    expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const tokenPath = join(siteDir, 'serve-token');
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenPath, 'utf8').trim();
    expect((await fetch(`${a.url}/patients`)).status).toBe(401);
    const ok = await fetch(`${a.url}/patients`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).patients).toHaveLength(4);
    const site = await fetch(`${a.url}/site`, { headers: { authorization: `Bearer ${token}` } });
    expect(await site.json()).toMatchObject({ site: 'centre-a', tasks: ['classify', 'segment'] });
    // a clinician added while the server runs can sign in at once
    const add = promisify(execFile)(process.execPath, [bin, 'user', 'add', 'Dr.Grey', '--site-dir', siteDir, '--password-file', '-']);
    add.child.stdin!.end('clinician password\n');
    expect(JSON.parse((await add).stdout)).toMatchObject({ username: 'dr.grey', role: 'clinician' });
    expect(statSync(join(siteDir, 'users.json')).mode & 0o777).toBe(0o600);
    const login = await fetch(`${a.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'dr.grey', password: 'clinician password' }) });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { token: string; site: string };
    expect(session.site).toBe('centre-a');
    expect((await fetch(`${a.url}/patients?task=segment`, { headers: { authorization: `Bearer ${session.token}` } })).status).toBe(200);
    expect(await stop(a.child)).toBe(0);
    const b = await start(siteDir);
    // the session survives a restart (same session-secret), the service token too
    expect((await fetch(`${b.url}/site`, { headers: { authorization: `Bearer ${session.token}` } })).status).toBe(200);
    expect(readFileSync(tokenPath, 'utf8').trim()).toBe(token);
    expect((await fetch(`${b.url}/patients`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(b.child)).toBe(0);
  });
});
