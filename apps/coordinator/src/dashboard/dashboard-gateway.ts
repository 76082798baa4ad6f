/**
 * The dashboard's live feed: socket.io namespace `/dashboard` on the coordinator's socket.io
 * server (path /socket.io, next to the sites' default namespace). A client connects with
 * `auth: {token}` (an admin session token from POST /api/auth/login, or the admin token); any
 * other handshake is refused with connect_error. The server then emits
 *   `run`   {run}            when a run is created, changes status or completes a round
 *   `round` {run_id, round}  when a round attempt begins, changes phase, cohort, dropouts, metrics or ends
 * Writes are coalesced per run/round over a short window, so a burst of writes gives one event
 * with the state after the burst. Clients send nothing; a session's connection is closed when the
 * session expires.
 */
import type { Namespace, Server } from 'socket.io';
import type { DashboardRoundEvent, DashboardRunEvent } from '@unbox/protocol';
import type { Store, StoreChange } from '../db/store.js';
import type { DashboardAuth } from '../auth/dashboard-auth.js';
import { roundView, runView } from './views.js';

export const DASHBOARD_NAMESPACE = '/dashboard';

export class DashboardGateway {
  private nsp: Namespace | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly pending = new Map<string, StoreChange>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly auth: DashboardAuth,
    private readonly log: (level: 'info' | 'warn', line: string) => void,
    private readonly coalesceMs = 50,
  ) {}

  attach(io: Server): void {
    const nsp = io.of(DASHBOARD_NAMESPACE);
    nsp.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return next(new Error('unauthorized: handshake auth.token must be an admin session token (POST /api/auth/login)'));
      this.auth.principal(token).then(
        (who) => {
          if (!who) return next(new Error('unauthorized: invalid or expired session token'));
          if (who.kind === 'session') {
            // the feed ends with the session: the client signs in again and reconnects
            const t = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(who.expiresAt - this.auth.clock(), 2 ** 31 - 1)));
            // …or with its sign-out (POST /api/auth/logout)
            const off = this.auth.onSignedOut((signedOut) => {
              if (signedOut === token) socket.disconnect(true);
            });
            socket.once('disconnect', () => {
              clearTimeout(t);
              off();
            });
          }
          next();
        },
        (e: Error) => next(new Error(`internal: ${e.message}`)),
      );
    });
    // clients only listen; anything they send is ignored
    this.nsp = nsp;
    this.unsubscribe = this.store.onChange(
      (c) => this.queue(c),
      (e, c) => this.log('warn', `dashboard feed: change of run ${c.run} not queued: ${(e as Error).message}`),
    );
  }

  private queue(c: StoreChange): void {
    if (!this.nsp || this.nsp.sockets.size === 0) return;
    this.pending.set('round' in c ? `${c.run}\u0000${c.round}\u0000${c.attempt}` : c.run, c);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.coalesceMs);
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    const nsp = this.nsp;
    if (!nsp) return;
    for (const c of batch) {
      try {
        if (!('round' in c)) {
          const row = await this.store.run(c.run);
          if (row) nsp.emit('run', { run: runView(row) } satisfies DashboardRunEvent);
          continue;
        }
        const row = await this.store.round(c.run, c.round, c.attempt);
        if (row) nsp.emit('round', { run_id: c.run, round: roundView(row, await this.store.roundDetails(c.run, { round: row.round, attempt: row.attempt })) } satisfies DashboardRoundEvent);
      } catch (e) {
        this.log('warn', `dashboard feed: ${'round' in c ? `round ${c.round} of ` : ''}run ${c.run} not sent: ${(e as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flushing;
    this.nsp?.disconnectSockets(true);
    this.nsp = null;
  }
}
