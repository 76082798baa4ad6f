import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ConsortiumTsne, type SharedFeatures } from '@unbox/protocol';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { Store } from '../db/store.js';
import { tempDir } from '../testing/databases.js';
import { TsneService } from './tsne-service.js';

const features = (n: number, dim: number, offset: number): SharedFeatures => ({
  layer: 'backbone_gap', unit: 'slice', dim, noise_sigma: 0,
  samples: Array.from({ length: n }, (_, i) => ({ label: 'CT-thick', values: Array.from({ length: dim }, (_, j) => offset + Math.sin(i * 7.1 + j * 3.3)) })),
});

describe('t-SNE service (worker thread, stored with the round)', () => {
  const t = tempDir();
  let db: OpenedDatabase;
  let store: Store;
  const logs: string[] = [];
  let service: TsneService;
  beforeAll(async () => {
    db = await openDatabase({ sqlitePath: join(t.dir, 'c.db') });
    store = new Store(db.db);
    await store.createRun({ id: 'run-1', name: null, config: {}, strategy: 'fedavg', now: 1 });
    service = new TsneService(store, { log: (l, line) => logs.push(`${l} ${line}`), now: () => 123 });
  });
  afterAll(async () => {
    await service.close();
    await db.close();
    t.cleanup();
  });

  it('schedules without waiting, computes in the worker and stores the result with the round', async () => {
    const returned = service.schedule('run-1', 2, [{ centre: 'A', features: features(12, 6, 0) }, { centre: 'B', features: features(12, 6, 3) }]);
    // scheduling hands the work over and returns nothing to wait on; the embedding is not there yet
    expect(returned).toBeUndefined();
    expect(await store.roundTsne('run-1', 2)).toBeUndefined();
    await service.idle();
    const stored = ConsortiumTsne.parse(await store.roundTsne('run-1', 2));
    expect(stored).toMatchObject({ run_id: 'run-1', round: 2, n: 24, dim: 6, unit: 'slice', created_at: 123 });
    expect(await store.tsneRounds('run-1')).toEqual([2]);
    expect(logs.some((l) => /round 2: consortium t-SNE of 24 points from 2 site\(s\) stored/.test(l))).toBe(true);
  }, 60_000);

  it('a round whose features cannot be embedded is logged and stores nothing; the next one still runs', async () => {
    service.schedule('run-1', 3, [{ centre: 'A', features: features(2, 6, 0) }]);
    service.schedule('run-1', 4, [{ centre: 'A', features: features(10, 6, 0) }, { centre: 'B', features: features(10, 6, 1) }]);
    await service.idle();
    expect(await store.roundTsne('run-1', 3)).toBeUndefined();
    expect(logs.some((l) => l.startsWith('warn') && /round 3: no consortium t-SNE: only 2 shared feature vectors/.test(l))).toBe(true);
    expect(await store.tsneRounds('run-1')).toEqual([2, 4]);
  }, 60_000);
});

describe('t-SNE service at shutdown', () => {
  it('lets a queued t-SNE finish within the grace period before the worker ends', async () => {
    const t = tempDir();
    const db = await openDatabase({ sqlitePath: join(t.dir, 'c.db') });
    const store = new Store(db.db);
    await store.createRun({ id: 'run-2', name: null, config: {}, strategy: 'fedavg', now: 1 });
    const service = new TsneService(store, { log: () => undefined, now: () => 5, closeGraceMs: 30_000 });
    service.schedule('run-2', 1, [{ centre: 'A', features: features(10, 4, 0) }, { centre: 'B', features: features(10, 4, 2) }]);
    await service.close();
    expect(await store.tsneRounds('run-2')).toEqual([1]);
    await db.close();
    t.cleanup();
  }, 60_000);
});
