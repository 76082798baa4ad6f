/**
 * The experiments drive the site agent exactly as an operator would: `unbox-site train` on the
 * training centres' manifests, `unbox-site eval` on the unseen centre (tools may not import the
 * app; running its CLI also tests the real path). Logs are JSON lines on the child's stderr.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../../../apps/site-agent/bin/unbox-site.js');

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export function runSiteAgent(args: string[], onLog: (l: LogLine) => void = () => {}): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, '--log-format', 'json', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    const tail: string[] = [];
    let buf = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        tail.push(line);
        if (tail.length > 20) tail.shift();
        try {
          onLog(JSON.parse(line) as LogLine);
        } catch {
          onLog({ msg: line });
        }
      }
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (code === 0) done();
      else fail(new Error(`unbox-site ${args.slice(0, 3).join(' ')} ${signal ? `was killed by ${signal}` : `exited with ${code}`} (backend: UNBOX_BACKEND=${process.env.UNBOX_BACKEND ?? 'auto'}):\n${tail.join('\n')}`));
    });
  });
}

/** Child log lines worth showing: training steps (loss, throughput), warnings and errors. */
export const progressLog = (log: (m: string) => void, prefix: string) => (l: LogLine) => {
  if (l.msg === 'step') log(`  ${prefix} step ${String(l.step)}/${String(l.of)} loss ${String(l.loss)} ${String(l.img_per_s)} img/s`);
  else if (l.level === 'warn' || l.level === 'error') log(`  ${prefix} ${l.level}: ${String(l.msg)}${l.reason ? ` ${String(l.reason)}` : ''}`);
};
