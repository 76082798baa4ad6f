/**
 * A site agent that loses its connection keeps what it has to say until it has authenticated
 * again: socket.io alone would flush its buffer on reconnection before auth.hello, which the
 * coordinator refuses (and closes the connection). Real coordinator process, real reconnection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteAgent } from './agent.js';
import { startCoordinator, waitFor, type CoordinatorProcess } from './testing/coordinator-process.js';
import { enrollSim } from './testing/sites.js';

type Emitting = { emit(event: string, payload: unknown): void };

describe('outgoing messages across a reconnection', () => {
  let c: CoordinatorProcess;
  beforeAll(async () => {
    c = await startCoordinator(mkdtempSync(join(tmpdir(), 'unbox-coord-queue-')));
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  it('are held while disconnected and sent, in order, only after re-authentication', async () => {
    const site = await enrollSim(c, 'queue-1', 0, 4);
    const agent: SiteAgent = await site.connect();
    let auths = 0;
    agent.socket.on('auth.result', () => auths++);
    const gone = new Promise<void>((resolve) => agent.socket.once('disconnect', () => resolve()));
    agent.socket.io.engine.close(); // transport lost: socket.io reconnects by itself
    await gone;
    (agent as unknown as Emitting).emit('error', { code: 'internal', message: 'held message one' });
    (agent as unknown as Emitting).emit('error', { code: 'internal', message: 'held message two' });
    expect(agent.queued).toBe(2);
    await waitFor(() => (auths >= 1 && agent.queued === 0 ? true : undefined), 're-authentication', 20_000);
    const one = await waitFor(() => { const i = c.log.findIndex((l) => l.includes('site queue-1 reported: held message one')); return i >= 0 ? i : undefined; }, 'first held message at the coordinator', 10_000);
    const two = c.log.findIndex((l) => l.includes('site queue-1 reported: held message two'));
    expect(two).toBeGreaterThan(one);
    // nothing reached the coordinator before authentication (it would have refused the connection)
    expect(c.log.some((l) => /refused: authenticate first/.test(l))).toBe(false);
    expect(agent.socket.connected).toBe(true);
    agent.stop();
  }, 60_000);

  it('drop the oldest beyond the queue bound, and never queue heartbeats', async () => {
    const site = await enrollSim(c, 'queue-2', 1, 4);
    const agent = await site.connect({ maxQueued: 2 });
    agent.stop();
    const a = agent as unknown as Emitting;
    a.emit('heartbeat', { seq: 1, sent_at: Date.now(), status: 'idle' });
    for (const m of ['a', 'b', 'c']) a.emit('error', { code: 'internal', message: m });
    expect(agent.queued).toBe(2);
  }, 30_000);
});
