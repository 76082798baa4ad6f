/**
 * Schema migrations, in code so they ship with the app and run the same on SQLite and
 * PostgreSQL (Kysely's Migrator records applied ones in kysely_migration). Append new
 * migrations; never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const ms = 'bigint';

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sites')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text')
        .addColumn('token_hash', 'text')
        .addColumn('token_expires_at', ms)
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('enrolled_at', ms)
        .addColumn('revoked_at', ms)
        .addColumn('revoke_reason', 'text')
        .addColumn('last_seen', ms)
        .execute();
      await db.schema.createIndex('sites_token_hash').on('sites').column('token_hash').execute();

      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('completed_rounds', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('model_hash', 'text')
        .addColumn('failure', 'text')
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('rounds')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('phase', 'text', (c) => c.notNull())
        .addColumn('secure', 'integer', (c) => c.notNull())
        .addColumn('model_hash_in', 'text', (c) => c.notNull())
        .addColumn('model_hash_out', 'text')
        .addColumn('failure', 'text')
        .addColumn('note', 'text')
        .addColumn('started_at', ms, (c) => c.notNull())
        .addColumn('ended_at', ms)
        .addPrimaryKeyConstraint('rounds_pk', ['run_id', 'round', 'attempt'])
        .execute();

      await db.schema
        .createTable('cohorts')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('cohorts_pk', ['run_id', 'round', 'attempt', 'role', 'site_id'])
        .execute();

      await db.schema
        .createTable('dropouts')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('at', ms, (c) => c.notNull())
        // a site leaves a round attempt once (the round machine records one drop per site)
        .addPrimaryKeyConstraint('dropouts_pk', ['run_id', 'round', 'attempt', 'site_id'])
        .execute();

      await db.schema
        .createTable('metrics')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('site_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('num_examples', 'integer', (c) => c.notNull())
        .addColumn('json', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('metrics_pk', ['run_id', 'round', 'site_id', 'kind'])
        .execute();

      await db.schema
        .createTable('model_versions')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('model_hash', 'text', (c) => c.notNull())
        .addColumn('strategy', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('bytes', ms, (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('model_versions_pk', ['run_id', 'round'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['model_versions', 'metrics', 'dropouts', 'cohorts', 'rounds', 'runs', 'sites']) await db.schema.dropTable(t).execute();
    },
  },
  // consortium t-SNE (issue #5): one embedding per completed round, computed after the round from
  // the features opted-in sites shared; the features themselves are not kept
  '0002_round_tsne': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('round_tsne')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('json', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addPrimaryKeyConstraint('round_tsne_pk', ['run_id', 'round'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('round_tsne').execute();
    },
  },
  // dashboard sign-in (issue #6): consortium admins' accounts, scrypt hashes only (@unbox/accounts passwords)
  '0003_dashboard_users': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dashboard_users')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', ms, (c) => c.notNull())
        .addColumn('updated_at', ms, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('dashboard_users').execute();
    },
  },
  // dashboard sign-out: the SHA-256 of each signed-out session token until the token's own expiry
  // (@unbox/accounts TokenRevocations), so a copied token stays dead across restarts
  '0004_revoked_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('revoked_tokens')
        .addColumn('hash', 'text', (c) => c.primaryKey())
        .addColumn('expires_at', ms, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('revoked_tokens').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Applies every pending migration; throws naming the migration that failed. `schema` (PostgreSQL)
 * keeps Kysely's own bookkeeping tables in the schema the app uses: without it Kysely looks for
 * them in every schema and may find another database user's.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  // allowUnorderedMigrations: migrations are developed in parallel (0002_…, 0003_…); a database that
  // already ran a later one still gets an earlier-named one that lands afterwards
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
