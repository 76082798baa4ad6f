/**
 * Dashboard accounts in the coordinator database (table dashboard_users, migration
 * 0003_dashboard_users). Usernames are stored lower-case, so sign-in is case-insensitive.
 */
import type { Kysely } from 'kysely';
import { normaliseUsername } from '@unbox/accounts';
import type { DashboardUser } from '@unbox/protocol';
import type { Database } from '../db/schema.js';

export interface DashboardUsersTable {
  username: string;
  role: 'admin';
  /** @unbox/accounts hashPassword format (scrypt) */
  password_hash: string;
  created_at: number;
  updated_at: number;
}

interface UsersDatabase {
  dashboard_users: DashboardUsersTable;
}

export class UserStore {
  private readonly db: Kysely<UsersDatabase>;

  /** The coordinator database (migration 0003_dashboard_users creates the table). */
  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<UsersDatabase>;
  }

  /** Adds an account; false when the name is taken (nothing changed). */
  async add(u: { username: string; role: 'admin'; passwordHash: string; now: number }): Promise<boolean> {
    const username = normaliseUsername(u.username);
    const r = await this.db
      .insertInto('dashboard_users')
      .values({ username, role: u.role, password_hash: u.passwordHash, created_at: u.now, updated_at: u.now })
      .onConflict((oc) => oc.column('username').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  get(username: string): Promise<DashboardUsersTable | undefined> {
    return this.db.selectFrom('dashboard_users').selectAll().where('username', '=', normaliseUsername(username)).executeTakeFirst();
  }

  async list(): Promise<DashboardUser[]> {
    const rows = await this.db.selectFrom('dashboard_users').select(['username', 'role', 'created_at']).orderBy('username').execute();
    return rows.map((r) => ({ username: r.username, role: r.role, created_at: r.created_at }));
  }

  async remove(username: string): Promise<boolean> {
    const r = await this.db.deleteFrom('dashboard_users').where('username', '=', normaliseUsername(username)).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async setPassword(username: string, passwordHash: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('dashboard_users').set({ password_hash: passwordHash, updated_at: now }).where('username', '=', normaliseUsername(username)).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
