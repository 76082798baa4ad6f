/**
 * Child processes of the end-to-end test (coordinator, site agents, the dashboard): each one's
 * output is kept in a log file under test-output/logs (read it when a test fails) and its stdout
 * lines can be awaited. All are ended (SIGTERM, then SIGKILL) by stopAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  lines: string[];
  exited: Promise<number | null>;
  /** resolves with the first stdout line (past or future) for which `f` returns a value */
  line<T>(f: (line: string) => T | undefined, timeoutMs?: number): Promise<T>;
}

export class Procs {
  readonly all: Proc[] = [];
  constructor(readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  spawn(name: string, cmd: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
    const log = join(this.logDir, `${name}.log`);
    const out = createWriteStream(log, { flags: 'a' });
    const child = spawn(cmd, args, { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiters = new Set<(l: string) => void>();
    createInterface({ input: child.stdout! }).on('line', (l) => {
      out.write(`${l}\n`);
      lines.push(l);
      for (const w of [...waiters]) w(l);
    });
    child.stderr!.on('data', (d: Buffer) => out.write(d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const p: Proc = {
      name,
      child,
      log,
      lines,
      exited,
      line<T>(f: (line: string) => T | undefined, timeoutMs = 120_000) {
        for (const l of lines) {
          const v = f(l);
          if (v !== undefined) return Promise.resolve(v);
        }
        return new Promise<T>((resolve, reject) => {
          const t = setTimeout(() => {
            waiters.delete(w);
            reject(new Error(`${name}: no awaited output line in ${timeoutMs / 1000} s; log ${log}:\n${tail(log)}`));
          }, timeoutMs);
          const w = (l: string) => {
            const v = f(l);
            if (v === undefined) return;
            clearTimeout(t);
            waiters.delete(w);
            resolve(v);
          };
          waiters.add(w);
          void exited.then((code) => {
            if (!waiters.has(w)) return;
            clearTimeout(t);
            waiters.delete(w);
            reject(new Error(`${name} exited (${code}) before the awaited line; log ${log}:\n${tail(log)}`));
          });
        });
      },
    };
    this.all.push(p);
    return p;
  }

  node(name: string, script: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Proc {
    return this.spawn(name, process.execPath, [script, ...args], o);
  }

  /** Runs to completion; rejects with the log's tail on a non-zero exit. */
  async run(name: string, script: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string[]> {
    const p = this.node(name, script, args, o);
    const code = await p.exited;
    if (code !== 0) throw new Error(`${name} failed (exit ${code}); log ${p.log}:\n${tail(p.log)}`);
    return p.lines;
  }

  async stopAll(graceMs = 5000): Promise<void> {
    const live = this.all.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    for (const p of live) p.child.kill('SIGTERM');
    const t = setTimeout(() => live.forEach((p) => p.child.kill('SIGKILL')), graceMs);
    await Promise.all(live.map((p) => p.exited));
    clearTimeout(t);
  }
}

export function tail(file: string, n = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** A TCP port free right now on loopback (for servers that cannot report the port they got). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(f: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
