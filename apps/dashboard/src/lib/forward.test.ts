import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forward } from './forward.js';

// A plain HTTP server standing in for any upstream: the relay must pass status, type, body and
// the explanation headers through, add the bearer token, and drop everything else.
let server: Server;
let base = '';
const seen: { url?: string; auth?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    if (req.url?.startsWith('/png')) {
      res.writeHead(200, { 'content-type': 'image/png', 'set-cookie': 'upstream=1', 'x-other': 'no' });
      res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    } else if (req.url?.startsWith('/computing')) {
      res.writeHead(202, { 'content-type': 'application/json', 'retry-after': '2' });
      res.end(JSON.stringify({ status: 'computing', progress: { done: 3, total: 10, what: 'lime' } }));
    } else {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ error: 'bad token' }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('relay', () => {
  it('passes bytes, status and content type; adds the bearer; drops upstream cookies and other headers', async () => {
    const r = await forward(base, '/png?x=1', 'tok', 'site A');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(r.headers.get('x-other')).toBeNull();
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect([...new Uint8Array(await r.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(seen.at(-1)).toEqual({ url: '/png?x=1', auth: 'Bearer tok' });
  });
  it('202 progress and retry-after pass through; upstream 401 stays 401 without its challenge', async () => {
    const c = await forward(base, '/computing', 't', 'site A');
    expect(c.status).toBe(202);
    expect(c.headers.get('retry-after')).toBe('2');
    expect(await c.json()).toEqual({ status: 'computing', progress: { done: 3, total: 10, what: 'lime' } });
    const u = await forward(base, '/other', 't', 'site A');
    expect(u.status).toBe(401);
    expect(u.headers.get('www-authenticate')).toBeNull();
  });
  it('an unreachable upstream is a 502 naming it', async () => {
    const r = await forward('http://127.0.0.1:1', '/patients', 't', 'site B');
    expect(r.status).toBe(502);
    expect(((await r.json()) as { error: string }).error).toMatch(/^site B unreachable at http:\/\/127\.0\.0\.1:1: /);
  });
});
