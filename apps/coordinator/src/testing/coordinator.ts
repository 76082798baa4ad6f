/** An in-process coordinator on a loopback port with its own temporary folder, for the tests. */
import { createCoordinator, type RunningCoordinator } from '../app/create-coordinator.js';
import { defaultOptions, type CoordinatorOptions } from '../options.js';
import { tempDir } from './databases.js';

export interface TestCoordinator extends RunningCoordinator {
  dataDir: string;
  logs: string[];
  rest<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  dispose(): Promise<void>;
}

export async function testCoordinator(over: Partial<CoordinatorOptions> = {}): Promise<TestCoordinator> {
  const t = tempDir();
  const logs: string[] = [];
  const c = await createCoordinator(defaultOptions(t.dir, { port: 0, databaseUrl: undefined, log: (l, line) => logs.push(`${l} ${line}`), waitPollMs: 50, ...over }));
  return Object.assign(c, {
    dataDir: t.dir,
    logs,
    async rest<T>(method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = c.adminToken) {
      const res = await fetch(c.url + path, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async dispose() {
      await c.close();
      t.cleanup();
    },
  });
}
