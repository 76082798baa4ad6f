/**
 * The child processes of the local consortium (coordinator, site agents): each one's output goes
 * to its own log file; all are ended on Ctrl-C, SIGTERM and on the parent's exit (SIGTERM, then
 * SIGKILL for any still running after a grace period), so none outlives `npm start`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  name: string;
  proc: ChildProcess;
  logPath: string;
  exited: Promise<number | null>;
}

export class Children {
  private readonly all: Child[] = [];

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
    // last resort: the parent exits without stopAll (an uncaught error)
    process.on('exit', () => {
      for (const c of this.all) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    });
  }

  /** Starts `node <script> ...args`; stdout lines are passed to `onLine` and logged with stderr. */
  spawnNode(name: string, script: string, args: string[], onLine?: (line: string) => void, env: NodeJS.ProcessEnv = {}): Child {
    const logPath = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logPath, { flags: 'a' });
    const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      log.write(d);
      if (!onLine) return;
      buf += d.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => log.write(d));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
      log.end();
      resolve(code);
    }));
    const child = { name, proc, logPath, exited };
    this.all.push(child);
    return child;
  }

  /** The last lines of a child's log, for error messages. */
  tail(child: Child, lines = 15): string {
    try {
      return readFileSync(child.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  running(): Child[] {
    return this.all.filter((c) => c.proc.exitCode === null && c.proc.signalCode === null);
  }

  /** SIGTERM to all, SIGKILL after `graceMs`: longer than the coordinator's own shutdown grace for
   * a run's last t-SNE (10 s, apps/coordinator/src/tsne/tsne-service.ts), so that round keeps it. */
  async stopAll(graceMs = 15_000): Promise<void> {
    const live = this.running();
    for (const c of live) c.proc.kill('SIGTERM');
    const timer = setTimeout(() => live.forEach((c) => c.proc.kill('SIGKILL')), graceMs);
    await Promise.all(live.map((c) => c.exited));
    clearTimeout(timer);
  }
}
