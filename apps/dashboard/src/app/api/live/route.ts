/**
 * Live consortium updates for the browser, as server-sent events: the dashboard server joins the
 * coordinator's socket.io `/dashboard` namespace with the admin's session token and relays its
 * `run` and `round` events (plus `status` when the link comes or goes). The browser never talks to
 * the coordinator itself.
 */
import { io } from 'socket.io-client';
import { config } from '../../../lib/config.js';
import { authorize } from '../../../lib/server-session.js';
import { SSE_PING, sseFrame } from '../../../lib/sse.js';

export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  const a = await authorize({ kind: 'consortium' });
  if ('refusal' in a) return a.refusal;
  const base = config().coordinatorUrl;
  if (!base) return Response.json({ error: 'no coordinator configured (UNBOX_COORDINATOR_URL)' }, { status: 503 });
  const enc = new TextEncoder();
  let close = () => undefined as void;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (chunk: string) => {
        if (open) controller.enqueue(enc.encode(chunk));
      };
      const socket = io(`${base}/dashboard`, { auth: { token: a.session.token }, transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 5000 });
      socket.on('connect', () => send(sseFrame('status', { connected: true })));
      socket.on('disconnect', (reason) => send(sseFrame('status', { connected: false, error: `disconnected: ${reason}` })));
      socket.on('connect_error', (e) => send(sseFrame('status', { connected: false, error: e.message })));
      socket.on('run', (p: unknown) => send(sseFrame('run', p)));
      socket.on('round', (p: unknown) => send(sseFrame('round', p)));
      const ping = setInterval(() => send(SSE_PING), 15_000);
      close = () => {
        if (!open) return;
        open = false;
        clearInterval(ping);
        socket.close();
        try {
          controller.close();
        } catch {
          /* already closed by the client */
        }
      };
      req.signal.addEventListener('abort', close);
      send(SSE_PING);
    },
    cancel() {
      close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' } });
}
