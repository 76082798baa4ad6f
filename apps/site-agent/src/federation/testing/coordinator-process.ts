/**
 * A real coordinator for the federation tests: `unbox-coordinator serve` in a child process on a
 * loopback port, with its own data folder (SQLite, or PostgreSQL when DATABASE_URL is passed in
 * env). It can be killed (SIGKILL: no clean shutdown) and started again on the same folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = fileURLToPath(new URL('../../../../coordinator/bin/unbox-coordinator.js', import.meta.url));

export interface CoordinatorProcess {
  url: string;
  dataDir: string;
  adminToken: string;
  child: ChildProcess;
  log: string[];
  kill(): Promise<void>;
  stop(): Promise<void>;
  admin<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export async function startCoordinator(dataDir: string, o: { port?: number; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<CoordinatorProcess> {
  const child = spawn(
    process.execPath,
    [BIN, '--data', dataDir, 'serve', '--host', '127.0.0.1', '--port', String(o.port ?? 0), '--wait-poll', '0.05', '--retry-delay', '0.1', '--stage-timeout', '10', ...(o.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '', ...o.env } },
  );
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`coordinator did not start in 90 s (a loaded 2-core machine takes 10-40 s to load Nest and tfjs):\n${log.join('\n')}`)), 90_000);
    createInterface({ input: child.stdout! }).on('line', (l) => {
      try {
        const j = JSON.parse(l) as { listening?: string };
        if (j.listening) {
          clearTimeout(t);
          resolve(j.listening);
        }
      } catch {
        /* other output */
      }
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`coordinator exited with ${code}:\n${log.join('\n')}`));
    });
  });
  const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    dataDir,
    adminToken,
    child,
    log,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    async admin<T>(method: 'GET' | 'POST', path: string, body?: unknown) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

/** Polls until `f` returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(f: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
