/** Everything the coordinator can be configured with (CLI flags and environment fill it in). */
import { join } from 'node:path';

export interface CoordinatorOptions {
  /** holds the SQLite file, checkpoints, the coordinator key and the admin token */
  dataDir: string;
  host: string;
  /** 0 picks a free port */
  port: number;
  /** PostgreSQL when set (DATABASE_URL), else SQLite at <dataDir>/coordinator.db */
  databaseUrl?: string;
  coordinatorId: string;
  enrollmentTokenTtlMs: number;
  authChallengeTtlMs: number;
  authTimeoutMs: number;
  /** fixed-point parameters of secure aggregation: updates clipped to ±clip, sample counts ≤ maxWeight */
  secagg: { clip: number; maxWeight: number; stageTimeoutMs: number };
  waitPollMs: number;
  retryDelayMs: number;
  maxRoundAttempts: number;
  /** largest socket.io message; must exceed a tensor frame and a masked vector */
  maxMessageBytes: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** per-site-connection message rate limit: what exceeds it is dropped with a rate_limited error */
  messageRate: { perSecond: number; burst: number };
  /** where runs/<run-id>/summary.json files go (default <dataDir>/runs) */
  runsDir?: string;
  /** log lines go here (stderr by default); null silences them */
  log: ((level: 'info' | 'warn', line: string) => void) | null;
  now: () => number;
}

export function defaultOptions(dataDir: string, over: Partial<CoordinatorOptions> = {}): CoordinatorOptions {
  return {
    dataDir,
    host: '127.0.0.1',
    port: 8470,
    databaseUrl: process.env.DATABASE_URL?.trim() || undefined,
    coordinatorId: 'unbox-coordinator',
    enrollmentTokenTtlMs: 7 * 24 * 3600_000,
    authChallengeTtlMs: 30_000,
    authTimeoutMs: 30_000,
    secagg: { clip: 2, maxWeight: 65_536, stageTimeoutMs: 60_000 },
    waitPollMs: 1000,
    retryDelayMs: 2000,
    maxRoundAttempts: 5,
    maxMessageBytes: 64 * 1024 * 1024,
    pingIntervalMs: 10_000,
    pingTimeoutMs: 20_000,
    messageRate: { perSecond: 100, burst: 5000 },
    log: (level, line) => process.stderr.write(`${new Date().toISOString()} ${level.padEnd(4)} ${line}\n`),
    now: () => Date.now(),
    ...over,
  };
}

export const sqlitePath = (o: CoordinatorOptions) => join(o.dataDir, 'coordinator.db');
export const checkpointsPath = (o: CoordinatorOptions) => join(o.dataDir, 'checkpoints');
export const runsPath = (o: CoordinatorOptions) => o.runsDir ?? join(o.dataDir, 'runs');
