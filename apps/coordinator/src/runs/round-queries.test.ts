/**
 * The round records (GET /api/runs/:id/rounds), summary.json and the dashboard's round views read a
 * run's cohorts and dropouts with one query per run, not one per round: the number of queries is
 * the same for 1 and 10 rounds, and what they return is what the per-attempt reads give.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { Store } from '../db/store.js';
import { buildRoundList } from './round-records.js';
import { buildRunSummary } from './run-summary.js';
import { roundViews } from '../dashboard/views.js';

/** Counts every query the store sends to the database. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

const config = { version: 1, task: 'classify', model: 'logreg:4', rounds: 10, strategy: { name: 'fedavg' }, train: { batch_size: 8, lr: 0.1 } };
const SITES = ['site-a', 'site-b', 'site-c', 'site-d'];
const hash = (c: string) => c.repeat(64);

/**
 * A run of `n` rounds: every third round has an interrupted first attempt (with its own cohort and a
 * dropout that must not show); even rounds lose a site at masked_input, every fourth round a second
 * one at unmasking; round 5 fails; the last round (n > 1) is still running.
 */
async function seedRun(store: Store, run: string, n: number): Promise<void> {
  await store.createRun({ id: run, name: null, config, strategy: 'fedavg', now: 1 });
  for (let r = 1; r <= n; r++) {
    const t = r * 10_000;
    if (r % 3 === 0) {
      const stale = await store.beginRound({ run, round: r, secure: true, modelHashIn: hash('a'), now: t });
      await store.setCohort(run, r, stale, 'fit', ['site-d', 'site-a']);
      await store.addDropout(run, r, stale, { site: 'site-a', stage: 'fit', reason: 'stale attempt', at: t + 1 });
    }
    const a = await store.beginRound({ run, round: r, secure: true, modelHashIn: hash('a'), now: t + 100 });
    // rotate which sites take part so every round's cohort differs
    const fit = SITES.filter((_, i) => i !== r % SITES.length).reverse();
    await store.setCohort(run, r, a, 'fit', fit);
    await store.setCohort(run, r, a, 'evaluate', SITES);
    if (r % 2 === 0) await store.addDropout(run, r, a, { site: fit[0], stage: 'masked_input', reason: `lost in round ${r}`, at: t + 500 });
    if (r % 4 === 0) await store.addDropout(run, r, a, { site: fit[1], stage: 'unmasking', reason: 'timeout', at: t + 400 });
    await store.putMetrics({ run, round: r, site: 'site-a', kind: 'evaluate', numExamples: 5, value: { evaluation: { backend: 'wasm' } }, now: t + 600 });
    if (r === n && n > 1) continue;
    if (r === 5) await store.endRound({ run, round: r, attempt: a, status: 'failed', failure: 'below threshold', now: t + 900 });
    else await store.endRound({ run, round: r, attempt: a, status: 'done', modelHashOut: hash(String(r % 10)), now: t + 900 });
  }
}

describe('round records, run summary and round views read cohorts and dropouts once per run', () => {
  let opened: OpenedDatabase;
  let counter: QueryCounter;
  let store: Store;
  beforeEach(async () => {
    opened = await openDatabase({ sqlitePath: ':memory:' });
    counter = new QueryCounter();
    store = new Store(opened.db.withPlugin(counter));
    await seedRun(store, 'run-1', 1);
    await seedRun(store, 'run-10', 10);
  });
  afterEach(async () => {
    await opened.close();
  });

  const counted = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const before = counter.count;
    const value = await f();
    return [value, counter.count - before];
  };

  it('sends as many queries for 10 rounds as for 1', async () => {
    const counts: Record<string, [number, number]> = {};
    const builds: [string, (run: string) => Promise<unknown>][] = [
      ['round records', (run) => buildRoundList(store, run)],
      ['run summary', (run) => buildRunSummary(store, run)],
      ['round views', (run) => roundViews(store, run)],
    ];
    for (const [name, build] of builds) {
      const [one, n1] = await counted(() => build('run-1'));
      const [ten, n10] = await counted(() => build('run-10'));
      // the runs really differ in size, so equal counts are not two empty reads
      expect(JSON.stringify(ten).length).toBeGreaterThan(5 * JSON.stringify(one).length);
      counts[name] = [n1, n10];
    }
    // rounds, metrics, t-SNE rounds, cohorts, dropouts / run, rounds, metrics, cohorts, dropouts / rounds, cohorts, dropouts
    expect(counts).toEqual({ 'round records': [5, 5], 'run summary': [5, 5], 'round views': [3, 3] });
  });

  it('gives every round what the per-attempt reads give, dropouts in several rounds included', async () => {
    const attempts = await store.rounds('run-10');
    expect(attempts).toHaveLength(13); // 10 rounds, 3 of them with an interrupted first attempt
    const views = await roundViews(store, 'run-10');
    expect(views.map((v) => [v.round, v.attempt, v.status])).toEqual(attempts.map((a) => [a.round, a.attempt, a.status]));
    for (const [i, a] of attempts.entries()) {
      expect(views[i].cohort).toEqual(await store.cohort('run-10', a.round, a.attempt, 'fit'));
      expect(views[i].evaluators).toEqual(await store.cohort('run-10', a.round, a.attempt, 'evaluate'));
      expect(views[i].dropouts).toEqual(await store.dropouts('run-10', a.round, a.attempt));
    }
    // by hand: round 3's interrupted attempt keeps its own cohort and dropout; round 4 lost two sites, ordered by time
    expect(views.filter((v) => v.round === 3).map((v) => [v.attempt, v.cohort, v.dropouts.map((d) => d.site)])).toEqual([
      [1, ['site-a', 'site-d'], ['site-a']],
      [2, ['site-a', 'site-b', 'site-c'], []],
    ]);
    expect(views.find((v) => v.round === 4)?.dropouts).toEqual([
      { site: 'site-c', stage: 'unmasking', reason: 'timeout', at: 40_400 },
      { site: 'site-d', stage: 'masked_input', reason: 'lost in round 4', at: 40_500 },
    ]);

    const list = await buildRoundList(store, 'run-10');
    expect(list.rounds.map((r) => [r.round, r.attempt, r.attempts])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((r) => [r, r % 3 === 0 ? 2 : 1, r % 3 === 0 ? 2 : 1]));
    for (const r of list.rounds) {
      expect(r.cohort).toEqual(await store.cohort('run-10', r.round, r.attempt, 'fit'));
      expect(r.dropouts).toEqual((await store.dropouts('run-10', r.round, r.attempt)).map((d) => ({ site: d.site, stage: d.stage, reason: d.reason })));
    }
    expect(list.rounds.filter((r) => r.dropouts.length > 0).map((r) => [r.round, r.dropouts.map((d) => `${d.site}@${d.stage}`)])).toEqual([
      [2, ['site-d@masked_input']],
      [4, ['site-c@unmasking', 'site-d@masked_input']],
      [6, ['site-d@masked_input']],
      [8, ['site-c@unmasking', 'site-d@masked_input']],
      [10, ['site-d@masked_input']],
    ]);

    const summary = await buildRunSummary(store, 'run-10');
    // round 10 is still running: not summarised
    expect(summary.rounds.map((r) => [r.round, r.status])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => [r, r === 5 ? 'failed' : 'done']));
    for (const r of summary.rounds) {
      const attempt = r.round % 3 === 0 ? 2 : 1;
      expect(r.cohort).toEqual(await store.cohort('run-10', r.round, attempt, 'fit'));
      expect(r.dropped).toEqual((await store.dropouts('run-10', r.round, attempt)).map((d) => ({ site: d.site, stage: d.stage, reason: d.reason })));
    }
    expect(summary.rounds[7].dropped).toEqual([
      { site: 'site-c', stage: 'unmasking', reason: 'timeout' },
      { site: 'site-d', stage: 'masked_input', reason: 'lost in round 8' },
    ]);
  });
});
