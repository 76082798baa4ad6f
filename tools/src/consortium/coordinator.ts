/**
 * Starts `unbox-coordinator serve` as a child process on loopback and returns its admin REST API
 * once it has printed its address (the `{"listening": url}` start-up line) and written the admin
 * token. Used by `npm start` and by the federated experiment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminApi } from './admin-api.js';
import type { Child, Children } from './children.js';

export interface CoordinatorStart {
  bin: string;
  /** the coordinator's --data folder (database, admin token) */
  dataDir: string;
  /** 0: any free port */
  port: number;
  runsDir: string;
  /** how long to wait for the start-up line */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The API and the child process. Throws `fail(message)` when the coordinator exits or does not start in time, with its log tail. */
export async function startCoordinator(children: Children, o: CoordinatorStart, fail: (message: string) => Error = (m) => new Error(m)): Promise<{ api: AdminApi; child: Child }> {
  let url = '';
  const child = children.spawnNode('coordinator', o.bin, ['--data', o.dataDir, 'serve', '--host', '127.0.0.1', '--port', String(o.port), '--runs-dir', o.runsDir], (line) => {
    try {
      url ||= (JSON.parse(line) as { listening?: string }).listening ?? '';
    } catch {
      /* not the start-up line */
    }
  });
  const timeoutMs = o.timeoutMs ?? 90_000;
  const end = Date.now() + timeoutMs;
  while (!url) {
    if (child.proc.exitCode !== null) throw fail(`the coordinator did not start (exit ${child.proc.exitCode}):\n${children.tail(child)}`);
    if (Date.now() > end) throw fail(`the coordinator did not start in ${timeoutMs / 1000} s; see ${child.logPath}`);
    await sleep(100);
  }
  return { api: new AdminApi(url, readFileSync(join(o.dataDir, 'admin-token'), 'utf8').trim()), child };
}
