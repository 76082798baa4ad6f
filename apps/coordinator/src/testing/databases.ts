/**
 * Databases for tests: a fresh SQLite file, and a fresh schema on the PostgreSQL server named by
 * DATABASE_URL (started in CI by .ci/postgres.sh). Under CI=true a missing DATABASE_URL is an
 * error, so the PostgreSQL path can never be skipped silently there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.DATABASE_URL?.trim() || undefined;
const CI = process.env.CI === 'true' || process.env.CI === '1';

if (CI && !POSTGRES_URL)
  throw new Error('CI=true but DATABASE_URL is not set: start PostgreSQL with `eval "$(.ci/postgres.sh start)"` before the coordinator tests');

/** True when the PostgreSQL tests can run here (always under CI). */
export const HAVE_POSTGRES = POSTGRES_URL !== undefined;

export function tempDir(prefix = 'unbox-coord-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A new empty schema on the test server; the returned URL points its search_path there. */
export async function freshPostgresSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const u = new URL(POSTGRES_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
