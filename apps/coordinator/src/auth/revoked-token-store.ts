/**
 * Signed-out dashboard session tokens in the coordinator database (table revoked_tokens, migration
 * 0004_revoked_tokens): SHA-256 of the token and its expiry, loaded into the in-memory
 * TokenRevocations at start and written before a sign-out is answered, so it survives a restart.
 */
import type { Kysely } from 'kysely';
import type { Revocation } from '@unbox/accounts';
import type { Database } from '../db/schema.js';

export interface RevokedTokensTable {
  /** SHA-256 hex of the session token */
  hash: string;
  /** the token's own expiry (ms since epoch): the row is useless afterwards and pruned */
  expires_at: number;
}

interface RevokedDatabase {
  revoked_tokens: RevokedTokensTable;
}

export class RevokedTokenStore {
  private readonly db: Kysely<RevokedDatabase>;

  /** The coordinator database (migration 0004_revoked_tokens creates the table). */
  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<RevokedDatabase>;
  }

  /** The revocations still in force at `now`. */
  async load(now: number): Promise<Revocation[]> {
    const rows = await this.db.selectFrom('revoked_tokens').select(['hash', 'expires_at']).where('expires_at', '>', now).execute();
    return rows.map((r) => ({ hash: r.hash, expires_at: Number(r.expires_at) }));
  }

  /** Records a revocation (again: no change). */
  async add(r: Revocation): Promise<void> {
    await this.db.insertInto('revoked_tokens').values({ hash: r.hash, expires_at: r.expires_at }).onConflict((oc) => oc.column('hash').doNothing()).execute();
  }

  /** Deletes the rows of tokens expired by `now`; how many. */
  async prune(now: number): Promise<number> {
    const r = await this.db.deleteFrom('revoked_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
