/**
 * All runs of this coordinator: starts a run from a config (initial model saved as version 0),
 * resumes the stored active runs at start-up, pauses/resumes/stops them, and routes site messages
 * and disconnects to the run they belong to.
 */
import { randomBytes } from 'node:crypto';
import { RunConfig, type Message, type RunControl } from '@unbox/protocol';
import { CoordinatorError } from '../errors.js';
import type { Store } from '../db/store.js';
import type { Checkpoints } from '../model-registry/checkpoints.js';
import { initialModel } from '../model-registry/initial-models.js';
import type { ClientEnvelope } from '../secure-aggregation/wire.js';
import type { SiteEvent, SiteHandler } from '../gateway/site-gateway.js';
import { RunDriver, type DriverOptions, type SiteTransport } from './run-driver.js';

export class RunEngine implements SiteHandler {
  private readonly drivers = new Map<string, RunDriver>();

  constructor(
    private readonly store: Store,
    private readonly checkpoints: Checkpoints,
    private readonly transport: SiteTransport & { refuse(site: string, e: Message<'error'>): void },
    private readonly o: DriverOptions,
  ) {}

  /** Starts a run; the body is a run.config (validated here, defaults applied). */
  async startRun(body: unknown, runId?: string): Promise<{ run_id: string }> {
    const parsed = RunConfig.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new CoordinatorError('bad_message', `run.config: field '${i.path.join('.')}': ${i.message}`, i.path.join('.'));
    }
    const config = parsed.data;
    let init;
    try {
      init = initialModel(config.model)(config.seed);
    } catch (e) {
      throw new CoordinatorError('bad_message', `run.config: field 'model': ${(e as Error).message}`, 'model');
    }
    const id = runId ?? `run-${new Date(this.o.now()).toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
    if (await this.store.run(id)) throw new CoordinatorError('conflict', `run '${id}' exists`, 'run_id');
    const now = this.o.now();
    await this.store.createRun({ id, name: config.name ?? null, config, strategy: config.strategy.name, now });
    const saved = await this.checkpoints.save(id, 0, init, null);
    await this.store.setInitialModel(id, { model_hash: saved.modelHash, strategy: config.strategy.name, path: saved.path, bytes: saved.bytes, created_at: now }, now);
    if (!config.secure_aggregation) this.o.log('warn', `run ${id}: started with PLAINTEXT aggregation (debug_plaintext: true)`);
    this.launch(id, config, false);
    return { run_id: id };
  }

  /** Picks up every stored running or paused run (after a restart). */
  async resumeAll(): Promise<string[]> {
    const out: string[] = [];
    for (const row of await this.store.activeRuns()) {
      const config = RunConfig.safeParse(JSON.parse(row.config));
      if (!config.success) {
        await this.store.setRunStatus(row.id, 'failed', this.o.now(), `stored config no longer valid: ${config.error.issues[0].message}`);
        continue;
      }
      this.launch(row.id, config.data, row.status === 'paused');
      out.push(row.id);
      this.o.log('info', `run ${row.id}: resumed after ${row.completed_rounds} completed round(s)`);
    }
    return out;
  }

  private launch(id: string, config: RunConfig, paused: boolean): void {
    const d = new RunDriver(id, config, this.store, this.checkpoints, this.transport, this.o);
    this.drivers.set(id, d);
    d.start(paused);
  }

  async control(c: RunControl): Promise<{ run_id: string; status: string }> {
    const row = await this.store.run(c.run_id);
    if (!row) throw new CoordinatorError('not_found', `no run '${c.run_id}'`, 'run_id');
    const d = this.drivers.get(c.run_id);
    if (!d || !['running', 'paused'].includes(row.status)) throw new CoordinatorError('conflict', `run '${c.run_id}' is ${row.status}`, 'run_id');
    const now = this.o.now();
    if (c.action === 'pause') {
      d.pause();
      await this.store.setRunStatus(c.run_id, 'paused', now);
    } else if (c.action === 'resume') {
      await this.store.setRunStatus(c.run_id, 'running', now);
      d.resume();
    } else {
      await d.stop('stopped by the administrator');
      this.drivers.delete(c.run_id);
      await this.store.setRunStatus(c.run_id, 'stopped', now);
    }
    return { run_id: c.run_id, status: (await this.store.run(c.run_id))!.status };
  }

  phase(runId: string): string | null {
    return this.drivers.get(runId)?.phase ?? null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.halt()));
    this.drivers.clear();
  }

  private driverFor(kind: string, m: { run_id: string }): RunDriver {
    const d = this.drivers.get(m.run_id);
    if (!d) throw new CoordinatorError('out_of_order', `${kind}: no active run '${m.run_id}'`, 'run_id');
    return d;
  }

  // ---- SiteHandler ------------------------------------------------------------------------------

  onConnected(): void {
    for (const d of this.drivers.values()) d.poke();
  }

  onDisconnected(site: string, reason: string): void {
    for (const d of this.drivers.values()) d.siteDisconnected(site, reason);
  }

  onMessage<K extends SiteEvent>(site: string, kind: K, message: Message<K>): void {
    if (kind === 'heartbeat') {
      void this.store.touchSite(site, this.o.now()).catch((e) => this.o.log('warn', `site ${site}: could not record last contact: ${(e as Error)?.message ?? e}`));
      return;
    }
    if (kind === 'tensor.chunk') {
      const transfer = (message as Message<'tensor.chunk'>).transfer_id;
      const d = [...this.drivers.values()].find((x) => x.hasUpload(transfer));
      if (!d) throw new CoordinatorError('out_of_order', `tensor.chunk: no upload '${transfer}' is expected from this site`, 'transfer_id');
      d.handle(site, kind, message);
      return;
    }
    this.driverFor(kind, message as { run_id: string }).handle(site, kind, message);
  }

  onSecAgg(site: string, env: ClientEnvelope): void {
    this.driverFor('secagg', env).handleSecAgg(site, env);
  }
}
