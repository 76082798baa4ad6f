/**
 * The site explanation API on a tiny synthetic consortium: bearer-token refusal, 404/400/405 as
 * JSON, patients with scores, explanations computed on demand (202 with progress, then 200),
 * cache hits byte-identical, concurrent requests sharing one computation, PNGs that decode, and
 * a server that keeps answering after bad requests. Token file handling (0600, reuse, refusal).
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplanationJson, PatientScore } from '@unbox/protocol';
import { createLogger } from '../logger.js';
import { decodePngRgb } from '../explain/png.js';
import { loadSiteModel, type SiteModel } from '../explain/site-model.js';
import { explainFixture, type ExplainFixture } from '../explain/testing-fixture.js';
import { createSiteApi } from './api.js';
import { ExplanationStore } from './store.js';
import { bearerMatches, ensureToken } from './token.js';

const log = createLogger({ format: 'human', level: 'error', write: () => {} });
let fx: ExplainFixture;
let site: SiteModel;
let server: Server;
let base: string;
let token: string;
let siteDir: string;

beforeAll(async () => {
  fx = await explainFixture();
  siteDir = join(fx.dir, 'site');
  token = ensureToken(join(siteDir, 'serve-token')).token;
  site = await loadSiteModel(fx.classifier);
  server = createSiteApi({ site, manifests: [fx.manifest], store: new ExplanationStore(join(siteDir, 'explanations')), token, log });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  site?.model.dispose();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

const get = (path: string, auth: string | null = `Bearer ${token}`, method = 'GET') => fetch(base + path, { method, headers: auth ? { authorization: auth } : {} });
const FAST = 'top=1&segments=10&lime_samples=40&shap_samples=60';

describe('serve token', () => {
  it('is generated once with mode 0600, reused, and refused when others can read it', async () => {
    const dir = join(fx.dir, 'tok');
    const a = ensureToken(join(dir, 't'));
    expect(a.created).toBe(true);
    expect(a.token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, 't')).mode & 0o777).toBe(0o600);
    const b = ensureToken(join(dir, 't'));
    expect(b).toEqual({ token: a.token, created: false });
    chmodSync(join(dir, 't'), 0o644);
    expect(() => ensureToken(join(dir, 't'))).toThrow(/readable by others \(mode 644\)/);
    await mkdir(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'short'), 'abc\n', { mode: 0o600 });
    expect(() => ensureToken(join(dir, 'x', 'short'))).toThrow(/not a token/);
  });
  it('matches only the exact bearer token', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`bearer ${token}`, token)).toBe(true);
    expect(bearerMatches(`Bearer ${token}x`, token)).toBe(false);
    expect(bearerMatches(`Bearer ${token.slice(0, -1)}`, token)).toBe(false);
    expect(bearerMatches(token, token)).toBe(false);
    expect(bearerMatches(undefined, token)).toBe(false);
    expect(bearerMatches('Bearer ', '')).toBe(false);
  });
});

describe('unbox-site serve API', () => {
  it('refuses requests without or with a wrong token (401, JSON)', async () => {
    for (const auth of [null, 'Bearer nope', `Basic ${token}`]) {
      const r = await get('/patients', auth);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await r.json()).error).toMatch(/bearer token/);
    }
  });

  it('lists this site\'s patients with their probability', async () => {
    const r = await get('/patients');
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({ task: 'classify', model: { hash: site.hash, step: 0 } });
    expect(body.patients).toHaveLength(4);
    for (const p of body.patients) {
      expect(() => PatientScore.parse(p)).not.toThrow();
      expect(p.centre).toBe('A');
      expect(p.score).toBeGreaterThan(0);
      expect(p.score).toBeLessThan(1);
    }
  });

  it('answers unknown patients, routes and files with 404, bad queries with 400, other methods with 405', async () => {
    const cases: [string, number, RegExp][] = [
      ['/patients/NOPE/explanation', 404, /unknown patient "NOPE"/],
      ['/patients/NOPE/slices/0.png', 404, /unknown patient/],
      ['/nothing', 404, /no route/],
      ['/patients/A-C001/whatever', 404, /no route/],
      ['/patients/%E0%A4%A/explanation', 400, /percent-encoding/],
    ];
    const pid = (await (await get('/patients')).json()).patients[0].id as string;
    cases.push(
      [`/patients/${pid}/explanation?top=abc`, 400, /top: "abc" is not a whole number/],
      [`/patients/${pid}/explanation?colour=red`, 400, /unknown query parameter "colour"/],
      [`/patients/${pid}/explanation?slices=1,x`, 400, /slices/],
      [`/patients/${pid}/explanation?fill=purple`, 400, /fill/],
      [`/patients/${pid}/slices/99.png`, 404, /slice 99 does not exist: patient .* has 6 slices/],
      [`/patients/${pid}/explanation/cam_000.png?${FAST}&seed=77`, 404, /not computed yet/],
      [`/patients/${pid}/explanation/..%2F..%2Fserve-token`, 404, /no file/],
    );
    for (const [path, status, msg] of cases) {
      const r = await get(path);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.headers.get('content-type')).toMatch(/application\/json/);
      expect((await r.json()).error).toMatch(msg);
    }
    const post = await get('/patients', `Bearer ${token}`, 'POST');
    expect(post.status).toBe(405);
    // still serving after all of that
    expect((await get('/patients')).status).toBe(200);
  });

  it('computes on demand (202 with progress), then serves the stored JSON; a cache hit is identical; PNGs decode', async () => {
    const pid = (await (await get('/patients')).json()).patients[1].id as string;
    const first = await get(`/patients/${pid}/explanation?${FAST}`);
    expect(first.status).toBe(202);
    const status = await first.json();
    expect(status).toMatchObject({ status: 'computing', patient: pid, progress: { done: expect.any(Number), total: expect.any(Number) } });
    const done = await get(`/patients/${pid}/explanation?${FAST}&wait=1`);
    expect(done.status).toBe(200);
    const text = await done.text();
    const e = ExplanationJson.parse(JSON.parse(text));
    expect(e.patient).toBe(pid);
    expect(e.model.hash).toBe(site.hash);
    const again = await get(`/patients/${pid}/explanation?${FAST}`);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(text);
    if (e.task !== 'classify') throw new Error('classifier expected');
    const s = e.slices[0];
    expect(Math.abs(s.shap.base_value + s.shap.values.reduce((a, b) => a + b, 0) - s.shap.fx)).toBeLessThan(1e-6);
    for (const name of [s.cam_png, s.lime.png, s.shap.png]) {
      const r = await get(`/patients/${pid}/explanation/${name}?${FAST}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/png');
      expect(decodePngRgb(new Uint8Array(await r.arrayBuffer())).width).toBe(32);
    }
    const slice = await get(`/patients/${pid}/slices/${s.index}.png`);
    expect(slice.status).toBe(200);
    expect(decodePngRgb(new Uint8Array(await slice.arrayBuffer())).height).toBe(32);
  });

  it('reports a failed computation as JSON (400 for a slice the patient lacks) and retries on the next request', async () => {
    const pid = (await (await get('/patients')).json()).patients[3].id as string;
    const r = await get(`/patients/${pid}/explanation?${FAST}&slices=99&wait=1`);
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ status: 'failed', error: expect.stringMatching(/slice 99 is outside 0..5/) });
    // the failure is not cached: the next request starts again
    expect((await get(`/patients/${pid}/explanation?${FAST}&slices=99`)).status).toBe(202);
    expect((await get(`/patients/${pid}/explanation?${FAST}&slices=99&wait=1`)).status).toBe(400);
  });

  it('lets concurrent requests for the same key share one computation', async () => {
    const pid = (await (await get('/patients')).json()).patients[2].id as string;
    const q = `/patients/${pid}/explanation?${FAST}&seed=5&wait=1`;
    const [a, b, c] = await Promise.all([get(q), get(q), get(q)]);
    const texts = await Promise.all([a, b, c].map((r) => r.text()));
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    // one computation: the same `created` stamp and bytes, one folder in the store for this patient
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
    const patientDirs = (await readdir(join(siteDir, 'explanations', site.hash))).filter((d) => d.startsWith(pid.replace(/[^A-Za-z0-9_-]/g, '_')));
    expect(patientDirs).toHaveLength(1);
    expect(await readdir(join(siteDir, 'explanations', site.hash, patientDirs[0]))).toHaveLength(1);
  });
});
