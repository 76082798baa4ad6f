/**
 * Runs the consortium t-SNE of completed rounds off the round's critical path: the run driver hands
 * over the round's shared features and goes on; the embedding is computed in a worker thread (so
 * the coordinator keeps answering sites meanwhile), one round at a time, and stored with the round.
 * A failure (too few points, a bad sample) is logged and stores nothing; the round is unaffected.
 * Features live only in memory until their t-SNE is done: the coordinator keeps the embedding, not
 * the features.
 */
import { Worker } from 'node:worker_threads';
import type { ConsortiumTsne } from '@unbox/protocol';
import type { Store } from '../db/store.js';
import type { SiteFeatures } from './consortium-tsne.js';

export const TSNE = Symbol('TsneService');

interface Job {
  id: number;
  run: string;
  round: number;
  sites: SiteFeatures[];
  now: number;
}

type Reply = { id: number; ok: true; value: ConsortiumTsne } | { id: number; ok: false; error: string } | { ready: true };

export interface TsneServiceOptions {
  log(level: 'info' | 'warn', line: string): void;
  now(): number;
  /** the worker ends after this long without work (it holds a JS heap of its own) */
  idleMs?: number;
  /** at shutdown, queued t-SNEs get this long to finish and be stored (default 10 s) */
  closeGraceMs?: number;
}

export class TsneService {
  private readonly queue: Job[] = [];
  private worker: Worker | null = null;
  private busy: Promise<void> | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly o: TsneServiceOptions,
  ) {}

  /** Queues the t-SNE of a round; returns at once. */
  schedule(run: string, round: number, sites: SiteFeatures[]): void {
    if (this.closed || sites.length === 0) return;
    this.queue.push({ id: this.nextId++, run, round, sites, now: this.o.now() });
    if (!this.busy) this.busy = this.drain().finally(() => (this.busy = null));
  }

  /** Resolves once every queued t-SNE is stored (or has failed). */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  /** Stops: waits up to closeGraceMs for queued t-SNEs (a run's last round ends just before shutdown), then ends the worker. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.busy) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.o.closeGraceMs ?? 10_000)));
      const finished = await Promise.race([this.idle().then(() => true), grace.then(() => false)]);
      clearTimeout(timer);
      if (!finished) this.o.log('warn', `shutting down with ${this.queue.length + 1} consortium t-SNE(s) not finished: not stored`);
    }
    this.closed = true;
    this.queue.length = 0;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    await this.busy?.catch(() => undefined);
  }

  /** Nest calls this when the application closes. */
  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private async drain(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (let job = this.queue.shift(); job && !this.closed; job = this.queue.shift()) {
      const n = job.sites.reduce((a, s) => a + s.features.samples.length, 0);
      try {
        const value = await this.run(job);
        if (this.closed) return;
        await this.store.putRoundTsne(job.run, job.round, value, this.o.now());
        this.o.log('info', `run ${job.run} round ${job.round}: consortium t-SNE of ${n} points from ${job.sites.length} site(s) stored (KL ${value.kl.toFixed(3)}, trustworthiness ${value.trustworthiness.toFixed(3)}, centre silhouette ${value.centre_separation.embedding.silhouette?.toFixed(3) ?? 'n/a'}, ${value.seconds.toFixed(1)} s)`);
      } catch (e) {
        if (this.closed) return;
        this.o.log('warn', `run ${job.run} round ${job.round}: no consortium t-SNE: ${(e as Error).message}`);
      }
    }
    if (!this.closed) {
      this.idleTimer = setTimeout(() => {
        const w = this.worker;
        this.worker = null;
        void w?.terminate();
      }, this.o.idleMs ?? 30_000);
      this.idleTimer.unref();
    }
  }

  private async started(): Promise<Worker> {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./tsne-worker.js', import.meta.url));
    w.unref();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if ('ready' in m) {
          w.off('error', reject);
          resolve();
        }
      };
      w.on('message', onMessage);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`t-SNE worker exited (${code}) while starting`)));
    });
    this.worker = w;
    w.once('exit', () => {
      if (this.worker === w) this.worker = null;
    });
    return w;
  }

  private async run(job: Job): Promise<ConsortiumTsne> {
    const w = await this.started();
    return new Promise((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if ('ready' in m || m.id !== job.id) return;
        cleanup();
        if (m.ok) resolve(m.value);
        else reject(new Error(m.error));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`t-SNE worker exited (${code})`));
      };
      const onError = (e: Error) => {
        cleanup();
        reject(e);
      };
      const cleanup = () => {
        w.off('message', onMessage);
        w.off('exit', onExit);
        w.off('error', onError);
      };
      w.on('message', onMessage);
      w.on('exit', onExit);
      w.on('error', onError);
      w.postMessage(job);
    });
  }
}
