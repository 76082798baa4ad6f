/**
 * Opens the coordinator database: PostgreSQL when a postgres:// URL is given (DATABASE_URL),
 * otherwise an SQLite file (created on first use; no set-up). Migrations run on open.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** where it lives, without any password */
  location: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** a postgres:// or postgresql:// URL; when absent, SQLite at sqlitePath */
  url?: string;
  sqlitePath: string;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

export async function openDatabase(o: DatabaseOptions): Promise<OpenedDatabase> {
  let db: Kysely<Database>;
  let dialect: DialectName;
  let location: string;
  if (o.url && o.url.trim() !== '') {
    if (!/^postgres(ql)?:\/\//.test(o.url)) throw new Error(`DATABASE_URL: expected a postgres:// URL, got '${o.url.slice(0, 16)}…'`);
    // bigint (int8) columns hold milliseconds, well inside 2^53: read them as numbers.
    const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) };
    const pool = new pg.Pool({ connectionString: o.url, max: 4, types } as pg.PoolConfig);
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dialect = 'postgres';
    location = redact(o.url);
  } else {
    // The database holds site keys' records and accounts' password hashes: owner-only, like the secrets beside it.
    if (o.sqlitePath !== ':memory:') mkdirSync(dirname(o.sqlitePath), { recursive: true, mode: 0o700 });
    const sqlite = new SQLite(o.sqlitePath);
    if (o.sqlitePath !== ':memory:') chmodSync(o.sqlitePath, 0o600);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    dialect = 'sqlite';
    location = o.sqlitePath;
  }
  try {
    let schema: string | undefined;
    if (dialect === 'postgres') schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s;
    await migrateToLatest(db as Kysely<unknown>, schema);
  } catch (e) {
    await db.destroy();
    throw new Error(`${dialect} database at ${location}: ${(e as Error).message}`);
  }
  return { db, dialect, location, close: () => db.destroy() };
}
