/**
 * Every read and write the coordinator makes, as named operations over the Kysely schema. The
 * services above never write SQL; this is also the one place that knows how rows map to the
 * protocol's shapes.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, ModelVersionsTable, RoundsTable, RunsTable, SitesTable } from './schema.js';

export type SiteRow = SitesTable;
export type RunRow = RunsTable;
export type RoundRow = RoundsTable;
export type ModelVersionRow = ModelVersionsTable;

export interface DropoutRecord {
  site: string;
  stage: string;
  reason: string;
  at: number;
}

/** What a write changed: a run (status, progress), or one of its round attempts (attempt 0: the round's latest, e.g. metrics). */
export type StoreChange = { run: string } | { run: string; round: number; attempt: number };

export class Store {
  private readonly listeners = new Map<(c: StoreChange) => void, (e: unknown, c: StoreChange) => void>();

  constructor(readonly db: Kysely<Database>) {}

  /**
   * Calls `l` after every committed write to a run or round (the dashboard's live feed); returns the
   * unsubscribe. A listener that throws gets its error back through `onError`: the write has
   * committed, so neither the writer nor the other listeners see it.
   */
  onChange(l: (c: StoreChange) => void, onError: (e: unknown, c: StoreChange) => void): () => void {
    this.listeners.set(l, onError);
    return () => this.listeners.delete(l);
  }

  private changed(c: StoreChange): void {
    for (const [l, onError] of this.listeners)
      try {
        l(c);
      } catch (e) {
        onError(e, c);
      }
  }

  // ---- sites ------------------------------------------------------------------------------------

  async addSite(s: { id: string; name?: string; tokenHash: string; tokenExpiresAt: number; now: number }): Promise<void> {
    const existing = await this.site(s.id);
    if (existing && existing.status !== 'pending')
      throw new StoreConflict(`site '${s.id}' is already ${existing.status}${existing.status === 'revoked' ? ' (pick a new site id)' : ''}`);
    const row = { name: s.name ?? null, status: 'pending' as const, token_hash: s.tokenHash, token_expires_at: s.tokenExpiresAt };
    if (existing) await this.db.updateTable('sites').set(row).where('id', '=', s.id).execute();
    else
      await this.db
        .insertInto('sites')
        .values({ id: s.id, ...row, public_key: null, created_at: s.now, enrolled_at: null, revoked_at: null, revoke_reason: null, last_seen: null })
        .execute();
  }

  site(id: string): Promise<SiteRow | undefined> {
    return this.db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  }

  siteByTokenHash(hash: string): Promise<SiteRow | undefined> {
    return this.db.selectFrom('sites').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  }

  listSites(): Promise<SiteRow[]> {
    return this.db.selectFrom('sites').selectAll().orderBy('id').execute();
  }

  /** Registers the key and burns the token, only if the token is still the pending one (one use). */
  async enrollSite(id: string, tokenHash: string, publicKey: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('sites')
      .set({ status: 'enrolled', public_key: publicKey, token_hash: null, token_expires_at: null, enrolled_at: now })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async revokeSite(id: string, reason: string | null, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('sites')
      .set({ status: 'revoked', revoked_at: now, revoke_reason: reason, token_hash: null, token_expires_at: null })
      .where('id', '=', id)
      .where('status', '!=', 'revoked')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async touchSite(id: string, now: number): Promise<void> {
    await this.db.updateTable('sites').set({ last_seen: now }).where('id', '=', id).execute();
  }

  // ---- runs -------------------------------------------------------------------------------------

  async createRun(r: { id: string; name: string | null; config: unknown; strategy: string; now: number }): Promise<void> {
    await this.db
      .insertInto('runs')
      .values({ id: r.id, name: r.name, config: JSON.stringify(r.config), status: 'running', strategy: r.strategy, completed_rounds: 0, model_hash: null, failure: null, created_at: r.now, updated_at: r.now })
      .execute();
    this.changed({ run: r.id });
  }

  run(id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listRuns(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Runs to pick up again after a restart. */
  activeRuns(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().where('status', 'in', ['running', 'paused']).orderBy('created_at').execute();
  }

  async setRunStatus(id: string, status: RunRow['status'], now: number, failure: string | null = null): Promise<void> {
    await this.db.updateTable('runs').set({ status, failure, updated_at: now }).where('id', '=', id).execute();
    this.changed({ run: id });
  }

  // ---- rounds -----------------------------------------------------------------------------------

  /** Opens the next attempt of a round; marks any attempt still 'running' (a crash) as interrupted. */
  async beginRound(r: { run: string; round: number; secure: boolean; modelHashIn: string; now: number }): Promise<number> {
    const attempt = await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('rounds')
        .set({ status: 'interrupted', ended_at: r.now, failure: 'coordinator restarted during the round' })
        .where('run_id', '=', r.run)
        .where('round', '=', r.round)
        .where('status', '=', 'running')
        .execute();
      const last = await tx.selectFrom('rounds').select((eb) => eb.fn.max('attempt').as('a')).where('run_id', '=', r.run).where('round', '=', r.round).executeTakeFirst();
      const attempt = Number(last?.a ?? 0) + 1;
      await tx
        .insertInto('rounds')
        .values({ run_id: r.run, round: r.round, attempt, status: 'running', phase: 'idle', secure: r.secure ? 1 : 0, model_hash_in: r.modelHashIn, model_hash_out: null, failure: null, note: null, started_at: r.now, ended_at: null })
        .execute();
      return attempt;
    });
    this.changed({ run: r.run, round: r.round, attempt });
    return attempt;
  }

  async setRoundPhase(run: string, round: number, attempt: number, phase: string): Promise<void> {
    await this.db.updateTable('rounds').set({ phase }).where('run_id', '=', run).where('round', '=', round).where('attempt', '=', attempt).execute();
    this.changed({ run, round, attempt });
  }

  async setCohort(run: string, round: number, attempt: number, role: 'fit' | 'evaluate', sites: readonly string[]): Promise<void> {
    if (sites.length === 0) return;
    await this.db
      .insertInto('cohorts')
      .values(sites.map((site_id) => ({ run_id: run, round, attempt, role, site_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    this.changed({ run, round, attempt });
  }

  cohort(run: string, round: number, attempt: number, role: 'fit' | 'evaluate'): Promise<string[]> {
    return this.db
      .selectFrom('cohorts')
      .select('site_id')
      .where('run_id', '=', run)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .where('role', '=', role)
      .orderBy('site_id')
      .execute()
      .then((rows) => rows.map((r) => r.site_id));
  }

  async addDropout(run: string, round: number, attempt: number, d: DropoutRecord): Promise<void> {
    await this.db
      .insertInto('dropouts')
      .values({ run_id: run, round, attempt, site_id: d.site, stage: d.stage, reason: d.reason.slice(0, 1024), at: d.at })
      .onConflict((oc) => oc.doNothing())
      .execute();
    this.changed({ run, round, attempt });
  }

  dropouts(run: string, round: number, attempt: number): Promise<DropoutRecord[]> {
    return this.db
      .selectFrom('dropouts')
      .select(['site_id', 'stage', 'reason', 'at'])
      .where('run_id', '=', run)
      .where('round', '=', round)
      .where('attempt', '=', attempt)
      .orderBy('at')
      .orderBy('site_id')
      .execute()
      .then((rows) => rows.map((r) => ({ site: r.site_id, stage: r.stage, reason: r.reason, at: r.at })));
  }

  /**
   * The cohorts and dropouts of every round attempt of a run (or of the one attempt `only` names) in
   * two queries, whatever the number of rounds; each lookup gives what cohort() and dropouts() give.
   */
  async roundDetails(run: string, only?: { round: number; attempt: number }): Promise<RoundDetails> {
    let cq = this.db.selectFrom('cohorts').select(['round', 'attempt', 'role', 'site_id']).where('run_id', '=', run);
    let dq = this.db.selectFrom('dropouts').select(['round', 'attempt', 'site_id', 'stage', 'reason', 'at']).where('run_id', '=', run);
    if (only) {
      cq = cq.where('round', '=', only.round).where('attempt', '=', only.attempt);
      dq = dq.where('round', '=', only.round).where('attempt', '=', only.attempt);
    }
    // ordered as cohort() and dropouts() order them within each attempt
    const cohorts = await cq.orderBy('round').orderBy('attempt').orderBy('role').orderBy('site_id').execute();
    const dropouts = await dq.orderBy('round').orderBy('attempt').orderBy('at').orderBy('site_id').execute();
    return new RoundDetails(
      cohorts.map((r) => ({ round: r.round, attempt: r.attempt, role: r.role, site: r.site_id })),
      dropouts.map((r) => ({ round: r.round, attempt: r.attempt, record: { site: r.site_id, stage: r.stage, reason: r.reason, at: r.at } })),
    );
  }

  async putMetrics(m: { run: string; round: number; site: string; kind: 'fit' | 'evaluate'; numExamples: number; value: unknown; now: number }): Promise<void> {
    const json = JSON.stringify(m.value);
    await this.db
      .insertInto('metrics')
      .values({ run_id: m.run, round: m.round, site_id: m.site, kind: m.kind, num_examples: m.numExamples, json, created_at: m.now })
      .onConflict((oc) => oc.columns(['run_id', 'round', 'site_id', 'kind']).doUpdateSet({ json, num_examples: m.numExamples, created_at: m.now }))
      .execute();
    this.changed({ run: m.run, round: m.round, attempt: 0 });
  }

  async metrics(run: string, round?: number): Promise<{ round: number; site: string; kind: 'fit' | 'evaluate'; numExamples: number; value: unknown }[]> {
    let q = this.db.selectFrom('metrics').selectAll().where('run_id', '=', run);
    if (round !== undefined) q = q.where('round', '=', round);
    const rows = await q.orderBy('round').orderBy('site_id').orderBy('kind').execute();
    return rows.map((r) => ({ round: r.round, site: r.site_id, kind: r.kind, numExamples: r.num_examples, value: JSON.parse(r.json) as unknown }));
  }

  rounds(run: string): Promise<RoundRow[]> {
    return this.db.selectFrom('rounds').selectAll().where('run_id', '=', run).orderBy('round').orderBy('attempt').execute();
  }

  /** One attempt of a round; attempt 0: the round's latest. */
  round(run: string, round: number, attempt: number): Promise<RoundRow | undefined> {
    const q = this.db.selectFrom('rounds').selectAll().where('run_id', '=', run).where('round', '=', round);
    return (attempt === 0 ? q.orderBy('attempt', 'desc').limit(1) : q.where('attempt', '=', attempt)).executeTakeFirst();
  }

  /**
   * Ends a round attempt. A completed round stores its model version and advances the run in the
   * same transaction, so a crash leaves either the old run state or the new one, never half.
   */
  async endRound(e: {
    run: string;
    round: number;
    attempt: number;
    status: 'done' | 'failed';
    failure?: string | null;
    note?: string | null;
    modelHashOut?: string | null;
    version?: Omit<ModelVersionRow, 'run_id' | 'round'>;
    now: number;
  }): Promise<void> {
    await this.db.transaction().execute(async (tx: Transaction<Database>) => {
      await tx
        .updateTable('rounds')
        .set({ status: e.status, phase: e.status, failure: e.failure ?? null, note: e.note ?? null, model_hash_out: e.modelHashOut ?? null, ended_at: e.now })
        .where('run_id', '=', e.run)
        .where('round', '=', e.round)
        .where('attempt', '=', e.attempt)
        .execute();
      if (e.status === 'done') {
        if (e.version) await tx.insertInto('model_versions').values({ run_id: e.run, round: e.round, ...e.version }).execute();
        await tx
          .updateTable('runs')
          .set({ completed_rounds: e.round, model_hash: e.modelHashOut ?? null, updated_at: e.now })
          .where('id', '=', e.run)
          .execute();
      }
    });
    this.changed({ run: e.run, round: e.round, attempt: e.attempt });
    if (e.status === 'done') this.changed({ run: e.run });
  }

  // ---- model versions ---------------------------------------------------------------------------

  async addModelVersion(v: ModelVersionRow): Promise<void> {
    await this.db.insertInto('model_versions').values(v).execute();
  }

  async setInitialModel(run: string, v: Omit<ModelVersionRow, 'run_id' | 'round'>, now: number): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('model_versions').values({ run_id: run, round: 0, ...v }).execute();
      await tx.updateTable('runs').set({ model_hash: v.model_hash, updated_at: now }).where('id', '=', run).execute();
    });
  }

  modelVersions(run?: string): Promise<ModelVersionRow[]> {
    let q = this.db.selectFrom('model_versions').selectAll();
    if (run) q = q.where('run_id', '=', run);
    return q.orderBy('run_id').orderBy('round').execute();
  }

  modelVersion(run: string, round: number): Promise<ModelVersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('run_id', '=', run).where('round', '=', round).executeTakeFirst();
  }

  latestModelVersion(run: string): Promise<ModelVersionRow | undefined> {
    return this.db.selectFrom('model_versions').selectAll().where('run_id', '=', run).orderBy('round', 'desc').limit(1).executeTakeFirst();
  }

  // ---- consortium t-SNE -------------------------------------------------------------------------

  /** Stores (or replaces) the t-SNE of a round; `value` is its ConsortiumTsne JSON. */
  async putRoundTsne(run: string, round: number, value: unknown, now: number): Promise<void> {
    const json = JSON.stringify(value);
    await this.db
      .insertInto('round_tsne')
      .values({ run_id: run, round, json, created_at: now })
      .onConflict((oc) => oc.columns(['run_id', 'round']).doUpdateSet({ json, created_at: now }))
      .execute();
    // the dashboard feed re-sends the round: its t-SNE is now available
    this.changed({ run, round, attempt: 0 });
  }

  async roundTsne(run: string, round: number): Promise<unknown> {
    const row = await this.db.selectFrom('round_tsne').select('json').where('run_id', '=', run).where('round', '=', round).executeTakeFirst();
    return row ? (JSON.parse(row.json) as unknown) : undefined;
  }

  /** Rounds of a run that have a stored t-SNE. */
  async tsneRounds(run: string): Promise<number[]> {
    return (await this.db.selectFrom('round_tsne').select('round').where('run_id', '=', run).orderBy('round').execute()).map((r) => r.round);
  }
}

/** A run's cohorts and dropouts grouped by round attempt (Store.roundDetails); an attempt without any has empty lists. */
export class RoundDetails {
  private readonly cohorts = new Map<string, string[]>();
  private readonly drops = new Map<string, DropoutRecord[]>();

  constructor(
    cohorts: readonly { round: number; attempt: number; role: 'fit' | 'evaluate'; site: string }[],
    dropouts: readonly { round: number; attempt: number; record: DropoutRecord }[],
  ) {
    for (const c of cohorts) push(this.cohorts, `${c.round}/${c.attempt}/${c.role}`, c.site);
    for (const d of dropouts) push(this.drops, `${d.round}/${d.attempt}`, d.record);
  }

  cohort(round: number, attempt: number, role: 'fit' | 'evaluate'): string[] {
    return [...(this.cohorts.get(`${round}/${attempt}/${role}`) ?? [])];
  }

  dropouts(round: number, attempt: number): DropoutRecord[] {
    return (this.drops.get(`${round}/${attempt}`) ?? []).map((d) => ({ ...d }));
  }
}

function push<T>(m: Map<string, T[]>, key: string, v: T): void {
  const list = m.get(key);
  if (list) list.push(v);
  else m.set(key, [v]);
}

/** A write that contradicts what is stored (maps to HTTP 409 / error code 'conflict'). */
export class StoreConflict extends Error {
  override readonly name = 'StoreConflict';
}
