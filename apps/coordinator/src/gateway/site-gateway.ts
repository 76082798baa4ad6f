/**
 * The socket.io endpoint sites connect to (outbound from the hospital). Each connection must
 * authenticate first (auth.hello → auth.challenge → auth.response → auth.result); after that every
 * inbound event is validated by its @unbox/protocol schema (secure-aggregation envelopes by their
 * own limits, in the run engine) before anything else sees it. A refused message gets an `error`
 * event naming the field and reason; only failed authentication closes the connection, so one bad
 * message never disturbs other sites. Each connection has a message rate limit (message-rate.ts):
 * what exceeds it is dropped with a `rate_limited` error, and the other sites are served as usual.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  parseMessage,
  ProtocolError,
  type AuthChallenge,
  type AuthHello,
  type ErrorMessage,
  type Message,
  type MessageKind,
} from '@unbox/protocol';
import { splitIntoChunks } from '@unbox/protocol/transfer';
import { CoordinatorError } from '../errors.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ClientEnvelope } from '../secure-aggregation/wire.js';
import { DEFAULT_MESSAGE_RATE, MessageRate, type MessageRateLimit } from './message-rate.js';

/** Events a site may send once authenticated. */
export const SITE_EVENTS = ['round.ready', 'fit.result', 'evaluate.result', 'round.dropout', 'tensor.chunk', 'heartbeat', 'error'] as const;
export type SiteEvent = (typeof SITE_EVENTS)[number];

export interface SiteHandler {
  onConnected(site: string): void;
  onDisconnected(site: string, reason: string): void;
  onMessage<K extends SiteEvent>(site: string, kind: K, message: Message<K>): void | Promise<void>;
  onSecAgg(site: string, envelope: ClientEnvelope): void | Promise<void>;
}

export interface GatewayOptions {
  /** largest socket.io message (bytes); bigger ones close that connection (engine.io's limit). */
  maxMessageBytes: number;
  /** socket.io heartbeat: ping every interval, drop after timeout without pong. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  authTimeoutMs: number;
  /** per-connection message rate limit (default DEFAULT_MESSAGE_RATE) */
  messageRate?: MessageRateLimit;
  log(level: 'info' | 'warn', line: string): void;
}

type Conn = { phase: 'hello' } | { phase: 'challenged'; hello: AuthHello; challenge: AuthChallenge } | { phase: 'authed'; site: string } | { phase: 'closed' };

export class SiteGateway {
  private io: Server | null = null;
  private readonly sites = new Map<string, Socket>();
  private handler: SiteHandler | null = null;

  constructor(
    private readonly auth: Authenticator,
    private readonly o: GatewayOptions,
  ) {}

  setHandler(h: SiteHandler): void {
    this.handler = h;
  }

  attach(http: HttpServer): void {
    this.io = new Server(http, {
      path: '/socket.io',
      maxHttpBufferSize: this.o.maxMessageBytes,
      pingInterval: this.o.pingIntervalMs,
      pingTimeout: this.o.pingTimeoutMs,
      serveClient: false,
      cors: { origin: false },
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
  }

  /** The socket.io server once attached (the dashboard's /dashboard namespace shares it). */
  get server(): Server | null {
    return this.io;
  }

  connected(): Set<string> {
    return new Set(this.sites.keys());
  }

  isConnected(site: string): boolean {
    return this.sites.has(site);
  }

  send(site: string, event: string, payload: unknown): boolean {
    const s = this.sites.get(site);
    if (!s) return false;
    s.emit(event, payload);
    return true;
  }

  /** A model as `tensor.chunk` frames (after the message that offered it). */
  sendBytes(site: string, transferId: string, bytes: Uint8Array, chunkBytes?: number): boolean {
    const s = this.sites.get(site);
    if (!s) return false;
    for (const c of splitIntoChunks(transferId, bytes, chunkBytes)) s.emit('tensor.chunk', c);
    return true;
  }

  refuse(site: string, e: ErrorMessage): void {
    this.send(site, 'error', e);
  }

  /** Closes a site's connection (revoked sites are cut off at once). */
  disconnect(site: string, reason: string): void {
    const s = this.sites.get(site);
    if (!s) return;
    s.emit('error', { code: 'unauthorized', message: reason } satisfies ErrorMessage);
    s.disconnect(true);
  }

  async close(): Promise<void> {
    if (!this.io) return;
    const io = this.io;
    this.io = null;
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => io.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    let conn: Conn = { phase: 'hello' };
    const authTimer = setTimeout(() => {
      if (conn.phase !== 'authed') {
        socket.emit('error', { code: 'unauthorized', message: 'authentication timed out' } satisfies ErrorMessage);
        socket.disconnect(true);
      }
    }, this.o.authTimeoutMs);
    const refuse = (e: unknown, kind: string) => {
      const wire: ErrorMessage =
        e instanceof ProtocolError
          ? e.toWire()
          : e instanceof CoordinatorError
            ? { code: e.code, message: `${kind}: ${e.message}`.slice(0, 1024), kind: kind.slice(0, 64), ...(e.field ? { field: e.field } : {}) }
            : { code: 'internal', message: `${kind}: internal error`, kind: kind.slice(0, 64) };
      if (!(e instanceof ProtocolError || e instanceof CoordinatorError)) this.o.log('warn', `site message ${kind}: ${(e as Error)?.stack ?? String(e)}`);
      socket.emit('error', wire);
    };
    const unauthorized = (reason: string) => {
      socket.emit('auth.result', { ok: false, reason });
      socket.emit('error', { code: 'unauthorized', message: reason } satisfies ErrorMessage);
      this.o.log('warn', `connection ${socket.id} refused: ${reason}`);
      conn = { phase: 'closed' };
      socket.disconnect(true);
    };

    // messages of one connection are handled one after another, in arrival order
    let queue: Promise<void> = Promise.resolve();
    const limit = this.o.messageRate ?? DEFAULT_MESSAGE_RATE;
    const rate = new MessageRate(limit, Date.now());
    socket.onAny((event: unknown, ...args: unknown[]) => {
      const kind = typeof event === 'string' ? event.slice(0, 64) : String(event);
      const now = Date.now();
      if (!rate.take(now)) {
        const dropped = rate.notice(now);
        if (dropped !== null) {
          const who = conn.phase === 'authed' ? `site ${conn.site}` : `connection ${socket.id}`;
          this.o.log('warn', `${who}: over its message rate limit (${limit.perSecond}/s, burst ${limit.burst}): ${dropped} message(s) dropped`);
          socket.emit('error', {
            code: 'rate_limited',
            message: `more than ${limit.perSecond} messages/s (burst ${limit.burst}): '${kind}' and ${dropped - 1} other message(s) in the last second were dropped, not processed; send less often`.slice(0, 1024),
            kind,
          } satisfies ErrorMessage);
        }
        return;
      }
      queue = queue.then(async () => {
        try {
          if (args.length !== 1) throw new ProtocolError(kind, '', `expected exactly one payload, got ${args.length} (acknowledgements are not used)`);
          const data = args[0];
          if (conn.phase === 'closed') return;
          if (conn.phase === 'hello') {
            if (kind !== 'auth.hello') return unauthorized(`authenticate first: send auth.hello (got '${kind}')`);
            const hello = parseMessage('auth.hello', data);
            if (!hello.ok) {
              socket.emit('error', hello.error.toWire());
              return unauthorized(hello.error.message);
            }
            const challenge = this.auth.challenge(hello.value);
            conn = { phase: 'challenged', hello: hello.value, challenge };
            socket.emit('auth.challenge', challenge);
            return;
          }
          if (conn.phase === 'challenged') {
            if (kind !== 'auth.response') return unauthorized(`expected auth.response (got '${kind}')`);
            const res = parseMessage('auth.response', data);
            if (!res.ok) {
              socket.emit('error', res.error.toWire());
              return unauthorized(res.error.message);
            }
            const outcome = await this.auth.verify(conn.hello, conn.challenge, res.value);
            if (!outcome.ok) return unauthorized(outcome.reason);
            clearTimeout(authTimer);
            const previous = this.sites.get(outcome.site);
            conn = { phase: 'authed', site: outcome.site };
            this.sites.set(outcome.site, socket);
            if (previous && previous !== socket) {
              previous.emit('error', { code: 'conflict', message: 'replaced by a newer connection of this site' } satisfies ErrorMessage);
              previous.disconnect(true);
            }
            socket.emit('auth.result', { ok: true, session: socket.id.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128) || 'session' });
            this.o.log('info', `site ${outcome.site} connected`);
            this.handler?.onConnected(outcome.site);
            return;
          }
          const site = conn.site;
          if (kind === 'secagg') {
            const env = ClientEnvelope.safeParse(data);
            if (!env.success) throw new ProtocolError('secagg', String(env.error.issues[0].path.join('.')), env.error.issues[0].message);
            await this.handler?.onSecAgg(site, env.data);
            return;
          }
          if (!(SITE_EVENTS as readonly string[]).includes(kind)) {
            const known = parseMessage(kind, undefined);
            if (!known.ok && known.error.code === 'unknown_kind') throw new ProtocolError(kind, '', `unknown event (a site may send ${SITE_EVENTS.join(', ')}, secagg)`, 'unknown_kind');
            throw new ProtocolError(kind, '', 'a site may not send this event', 'unauthorized');
          }
          const parsed = parseMessage(kind as MessageKind, data);
          if (!parsed.ok) throw parsed.error;
          const m = parsed.value as { site_id?: string };
          if (m.site_id !== undefined && m.site_id !== site) throw new ProtocolError(kind, 'site_id', `is '${m.site_id}' but this connection is site '${site}'`, 'unauthorized');
          if (kind === 'error') {
            this.o.log('warn', `site ${site} reported: ${(parsed.value as ErrorMessage).message}`);
            return;
          }
          await this.handler?.onMessage(site, kind as SiteEvent, parsed.value as Message<SiteEvent>);
        } catch (e) {
          refuse(e, kind);
        }
      });
    });

    socket.on('disconnect', (reason) => {
      clearTimeout(authTimer);
      if (conn.phase === 'authed' && this.sites.get(conn.site) === socket) {
        this.sites.delete(conn.site);
        this.o.log('info', `site ${conn.site} disconnected (${reason})`);
        this.handler?.onDisconnected(conn.site, `disconnected (${reason})`);
      }
      conn = { phase: 'closed' };
    });
  }
}
