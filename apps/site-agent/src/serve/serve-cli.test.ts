/**
 * End to end: the real `unbox-site serve` process binds loopback, writes its token 0600 into the
 * site folder at first start, refuses a request without it and serves /patients with it; a second
 * start reuses the token; SIGTERM stops it cleanly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  const child = spawn(process.execPath, [bin, '--log-level', 'warn', 'serve', '--model', fx.classifier, '--manifest', fx.manifest, '--port', '0', '--site-dir', siteDir], {
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
    expect(await stop(a.child)).toBe(0);
    const b = await start(siteDir);
    expect(readFileSync(tokenPath, 'utf8').trim()).toBe(token);
    expect((await fetch(`${b.url}/patients`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(b.child)).toBe(0);
  });
});
