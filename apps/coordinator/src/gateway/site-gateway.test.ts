/**
 * The socket endpoint against misbehaving peers: unenrolled, revoked and replayed identities,
 * malformed, oversized, unknown and out-of-order messages. Each gets a clear refusal, and a
 * well-behaved site on the same coordinator keeps being served throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { authSigningPayload, PROTOCOL_VERSION, type AuthChallenge, type ErrorMessage } from '@unbox/protocol';
import { generateIdentity, sign, type SigningIdentity } from '@unbox/secagg';
import { testCoordinator, type TestCoordinator } from '../testing/coordinator.js';

const MAX = 256 * 1024;

function next<T>(s: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms`)), timeoutMs);
    s.once(event, (v: T) => {
      clearTimeout(t);
      resolve(v);
    });
  });
}

function socket(c: TestCoordinator): Socket {
  return io(c.url, { path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true });
}

async function connectAs(c: TestCoordinator, id: SigningIdentity): Promise<{ s: Socket; result: { ok: boolean; reason?: string }; challenge: AuthChallenge; response: unknown }> {
  const s = socket(c);
  await next(s, 'connect');
  s.emit('auth.hello', { site_id: id.id, protocol: PROTOCOL_VERSION, agent_version: 'test' });
  const challenge = await next<AuthChallenge>(s, 'auth.challenge');
  const response = { site_id: id.id, nonce: challenge.nonce, signature: Buffer.from(sign(id.secretKey, authSigningPayload(challenge, id.id))).toString('base64') };
  s.emit('auth.response', response);
  const result = await next<{ ok: boolean; reason?: string }>(s, 'auth.result');
  return { s, result, challenge, response };
}

async function enrolled(c: TestCoordinator, siteId: string): Promise<SigningIdentity> {
  const id = generateIdentity(siteId);
  const add = await c.rest<{ token: string }>('POST', '/api/sites', { site_id: siteId });
  const r = await c.rest('POST', '/api/enroll', { token: add.body.token, public_key: Buffer.from(id.publicKey).toString('base64'), agent_version: 'test' }, null);
  expect(r.status).toBe(200);
  return id;
}

describe('site gateway', () => {
  let c: TestCoordinator;
  let good: Socket;
  const goodErrors: ErrorMessage[] = [];
  beforeAll(async () => {
    c = await testCoordinator({ maxMessageBytes: MAX });
    const id = await enrolled(c, 'good');
    const g = await connectAs(c, id);
    expect(g.result.ok).toBe(true);
    good = g.s;
    good.on('error', (e: ErrorMessage) => goodErrors.push(e));
  });
  afterAll(async () => {
    good?.disconnect();
    await c?.dispose();
  });

  it('refuses an unknown site', async () => {
    const { s, result } = await connectAs(c, generateIdentity('stranger'));
    expect(result).toEqual({ ok: false, reason: "unknown site 'stranger'" });
    await new Promise((r) => setTimeout(r, 100));
    expect(s.connected).toBe(false);
  });

  it('refuses a site that signs with another key than the enrolled one', async () => {
    await enrolled(c, 'impostor');
    const { result } = await connectAs(c, generateIdentity('impostor'));
    expect(result).toEqual({ ok: false, reason: 'signature does not verify with the enrolled key' });
  });

  it('refuses a revoked site, and cuts a connected one off when it is revoked', async () => {
    const id = await enrolled(c, 'to-revoke');
    const first = await connectAs(c, id);
    expect(first.result.ok).toBe(true);
    const gone = next(first.s, 'disconnect');
    expect((await c.rest('POST', '/api/sites/to-revoke/revoke', {})).status).toBe(200);
    await gone;
    const again = await connectAs(c, id);
    expect(again.result).toEqual({ ok: false, reason: "site 'to-revoke' is revoked" });
  });

  it('refuses a replayed challenge response', async () => {
    const id = await enrolled(c, 'replay');
    const first = await connectAs(c, id);
    expect(first.result.ok).toBe(true);
    first.s.disconnect();
    const s = socket(c);
    await next(s, 'connect');
    s.emit('auth.hello', { site_id: 'replay', protocol: PROTOCOL_VERSION, agent_version: 'test' });
    await next(s, 'auth.challenge');
    s.emit('auth.response', first.response);
    expect(await next(s, 'auth.result')).toEqual({ ok: false, reason: 'response answers another challenge (replayed)' });
  });

  it('refuses messages before authentication and a wrong protocol version', async () => {
    const s = socket(c);
    await next(s, 'connect');
    const err = next<ErrorMessage>(s, 'error');
    s.emit('fit.result', { anything: 1 });
    expect(await err).toMatchObject({ code: 'unauthorized', message: "authenticate first: send auth.hello (got 'fit.result')" });
    const s2 = socket(c);
    await next(s2, 'connect');
    const err2 = next<ErrorMessage>(s2, 'error');
    s2.emit('auth.hello', { site_id: 'good', protocol: 99, agent_version: 'x' });
    expect((await err2).field).toBe('protocol');
  });

  describe('after authentication', () => {
    let s: Socket;
    beforeAll(async () => {
      const id = await enrolled(c, 'noisy');
      const r = await connectAs(c, id);
      expect(r.result.ok).toBe(true);
      s = r.s;
    });
    afterAll(() => s?.disconnect());

    const refusal = async (event: string, payload: unknown) => {
      const err = next<ErrorMessage>(s, 'error');
      s.emit(event, payload);
      return err;
    };

    it('malformed: names the field', async () => {
      expect(await refusal('heartbeat', { seq: -1, sent_at: 1, status: 'idle' })).toMatchObject({ code: 'bad_message', kind: 'heartbeat', field: 'seq' });
      expect(await refusal('heartbeat', { seq: 1, sent_at: 1, status: 'idle', pixels: [1, 2] })).toMatchObject({ code: 'bad_message', field: 'pixels' });
    });

    it('oversized fields: too_large', async () => {
      const e = await refusal('round.ready', { run_id: 'r', round: 1, site_id: 'noisy', model_hash: 'a'.repeat(64), accepted: false, reason: 'x'.repeat(5000) });
      expect(e).toMatchObject({ code: 'too_large', field: 'reason' });
    });

    it('unknown events and events a site may not send', async () => {
      expect(await refusal('drop.tables', {})).toMatchObject({ code: 'unknown_kind' });
      expect(await refusal('site.add', { site_id: 'x' })).toMatchObject({ code: 'unauthorized' });
    });

    it('out of order: messages for runs and rounds that are not running', async () => {
      const fit = { run_id: 'no-run', round: 1, site_id: 'noisy', model_hash: 'a'.repeat(64), num_examples: 3, metrics: {}, duration_s: 1, update: { mode: 'secure' } };
      expect(await refusal('fit.result', fit)).toMatchObject({ code: 'out_of_order', field: 'run_id' });
      expect(await refusal('secagg', { run_id: 'no-run', round: 1, json: '{}', blob: new Uint8Array(0) })).toMatchObject({ code: 'out_of_order' });
      expect(await refusal('tensor.chunk', { transfer_id: 't', index: 0, count: 1, hash: 'a'.repeat(64), payload: new Uint8Array(4) })).toMatchObject({ code: 'out_of_order', field: 'transfer_id' });
    });

    it('a message in the name of another site', async () => {
      const fit = { run_id: 'no-run', round: 1, site_id: 'good', model_hash: 'a'.repeat(64), num_examples: 3, metrics: {}, duration_s: 1, update: { mode: 'secure' } };
      expect(await refusal('fit.result', fit)).toMatchObject({ code: 'unauthorized', field: 'site_id' });
    });

    it('the refused connection stays usable, and the other site was never disturbed', async () => {
      const before = goodErrors.length;
      s.emit('heartbeat', { seq: 5, sent_at: Date.now(), status: 'idle' });
      good.emit('heartbeat', { seq: 1, sent_at: Date.now(), status: 'idle' });
      await new Promise((r) => setTimeout(r, 200));
      expect(goodErrors.length).toBe(before);
      expect(c.gateway.connected()).toEqual(new Set(['good', 'noisy']));
    });

    it('a frame over the transport limit closes only that connection', async () => {
      const closed = next<string>(s, 'disconnect');
      s.emit('heartbeat', { seq: 1, sent_at: 1, status: 'idle', junk: new Uint8Array(MAX + 1024) });
      expect(await closed).toBe('transport close');
      await new Promise((r) => setTimeout(r, 100));
      expect(c.gateway.connected()).toEqual(new Set(['good']));
      expect(good.connected).toBe(true);
    });
  });
});

describe('site gateway: per-connection message rate limit', () => {
  let c: TestCoordinator;
  beforeAll(async () => {
    c = await testCoordinator({ messageRate: { perSecond: 2, burst: 10 } });
  });
  afterAll(async () => {
    await c?.dispose();
  });

  it('drops a flood with one clear rate_limited error; the flooder stays connected and the other site is served', async () => {
    const flooder = await connectAs(c, await enrolled(c, 'flooder'));
    const calm = await connectAs(c, await enrolled(c, 'calm'));
    expect([flooder.result.ok, calm.result.ok]).toEqual([true, true]);
    const floodErrors: ErrorMessage[] = [];
    const calmErrors: ErrorMessage[] = [];
    flooder.s.on('error', (e: ErrorMessage) => floodErrors.push(e));
    calm.s.on('error', (e: ErrorMessage) => calmErrors.push(e));
    // 8 tokens left after the 2 handshake messages; every one of these 60 is malformed (seq −1),
    // so each message that is processed answers with bad_message, each dropped one does not
    const t0 = Date.now();
    for (let i = 0; i < 60; i++) flooder.s.emit('heartbeat', { seq: -1, sent_at: 1, status: 'idle' });
    // the calm site keeps being served meanwhile: its bad message is processed and answered
    calm.s.emit('heartbeat', { seq: -1, sent_at: 1, status: 'idle' });
    await new Promise((r) => setTimeout(r, 500));
    // on a loaded machine the flood may take a while to arrive: the bucket refills 2 per second meanwhile
    const elapsed = (Date.now() - t0) / 1000;
    const limited = floodErrors.filter((e) => e.code === 'rate_limited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(limited.length).toBeLessThanOrEqual(Math.ceil(elapsed) + 1);
    expect(limited[0].message).toMatch(/more than 2 messages\/s \(burst 10\): 'heartbeat' and \d+ other message\(s\) in the last second were dropped/);
    const processed = floodErrors.filter((e) => e.code === 'bad_message').length;
    expect(processed).toBeGreaterThanOrEqual(8);
    expect(processed).toBeLessThanOrEqual(8 + Math.ceil(2 * elapsed) + 1);
    expect(calmErrors.map((e) => e.code)).toEqual(['bad_message']);
    expect(c.logs.some((l) => /site flooder: over its message rate limit \(2\/s, burst 10\)/.test(l))).toBe(true);
    expect(c.gateway.connected()).toEqual(new Set(['flooder', 'calm']));
    // after a pause the flooder's messages are processed again
    await new Promise((r) => setTimeout(r, 1000));
    const err = next<ErrorMessage>(flooder.s, 'error');
    flooder.s.emit('heartbeat', { seq: -1, sent_at: 1, status: 'idle' });
    expect(await err).toMatchObject({ code: 'bad_message', field: 'seq' });
    flooder.s.disconnect();
    calm.s.disconnect();
  });
});
