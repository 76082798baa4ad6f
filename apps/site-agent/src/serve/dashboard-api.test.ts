/**
 * The site API's dashboard routes on a tiny synthetic consortium, with a classifier and a segmenter
 * served together: clinician sign-in (uniform refusal, throttle, sessions ending with the account),
 * sign-out (POST /auth/logout: the token refused, also by a restarted server on the same folder),
 * tokens of site A refused at site B, GET /site, volume metadata, HU window/level against the
 * scan's own voxels, segmentation overlays against the explanation's class pixel counts, and the
 * latent Dice map against the explanation's dice_map.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '@unbox/data';
import { ExplanationJson, LatentDice, SiteDescription, SiteLoginResponse, VolumeInfo } from '@unbox/protocol';
import { createLogger } from '../logger.js';
import { loadSiteModel, type SiteModel } from '../explain/site-model.js';
import { explainFixture, type ExplainFixture } from '../explain/testing-fixture.js';
import { createSiteApi } from './api.js';
import { SiteAuth } from './auth.js';
import { hashPassword } from '@unbox/accounts';
import { RevokedTokens, revokedTokensPath } from './revoked-tokens.js';
import { loadOrCreateSessionSecret, SiteSessions } from './sessions.js';
import { ExplanationStore } from './store.js';
import { ensureToken } from './token.js';
import { UserDirectory, usersPath, writeUsers, readUsers } from './users.js';

const log = createLogger({ format: 'human', level: 'error', write: () => {} });
const CHEAP = { N: 1024, r: 8, p: 1 };
let fx: ExplainFixture;
let cls: SiteModel;
let seg: SiteModel;
const servers: Server[] = [];
const sites: Record<'A' | 'B', { base: string; dir: string; service: string }> = {} as never;

async function startSite(name: 'A' | 'B'): Promise<void> {
  const dir = join(fx.dir, `site-${name}`);
  const service = ensureToken(join(dir, 'serve-token')).token;
  writeUsers(usersPath(dir), [{ username: 'dr.who', role: 'clinician', password_hash: await hashPassword(`password of ${name}`, CHEAP), created_at: 1 }]);
  sites[name] = { base: await serveSite(name, dir, service), dir, service };
}

/** A server over the site folder, as `unbox-site serve` builds it; its base URL. */
async function serveSite(name: string, dir: string, service: string): Promise<string> {
  const auth = new SiteAuth(service, new UserDirectory(usersPath(dir)), new SiteSessions(loadOrCreateSessionSecret(dir), name, Date.now, undefined, new RevokedTokens(revokedTokensPath(dir))));
  const server = createSiteApi({ models: [cls, seg], manifests: [fx.manifest], store: new ExplanationStore(join(dir, 'explanations')), token: service, auth, log });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  fx = await explainFixture();
  cls = await loadSiteModel(fx.classifier);
  seg = await loadSiteModel(fx.segmenter);
  await startSite('A');
  await startSite('B');
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  cls?.model.dispose();
  seg?.model.dispose();
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

const at = (site: 'A' | 'B') => ({
  get: (path: string, token: string | null) => fetch(sites[site].base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  login: (body: unknown) => fetch(sites[site].base + '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

async function session(site: 'A' | 'B', password = `password of ${site}`): Promise<string> {
  const r = await at(site).login({ username: 'dr.who', password });
  expect(r.status).toBe(200);
  return SiteLoginResponse.parse(await r.json()).token;
}

function decodeRgba(bytes: ArrayBuffer): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

describe('clinician sign-in', () => {
  it('signs a clinician in; the session opens the API of this site only', async () => {
    const r = await at('A').login({ username: 'Dr.Who', password: 'password of A' });
    expect(r.status).toBe(200);
    const body = SiteLoginResponse.parse(await r.json());
    expect(body).toMatchObject({ role: 'clinician', username: 'dr.who', site: 'A' });
    expect((await at('A').get('/site', body.token)).status).toBe(200);
    expect(await (await at('A').get('/auth/me', body.token)).json()).toEqual({ role: 'clinician', username: 'dr.who', site: 'A', expires_at: body.expires_at });
    expect(await (await at('A').get('/auth/me', sites.A.service)).json()).toEqual({ role: 'service', site: 'A' });
    const elsewhere = await at('B').get('/site', body.token);
    expect(elsewhere.status).toBe(401);
    expect((await elsewhere.json()).error).toMatch(/bearer token/);
    // same user name and password scheme at B, other secret: B's own session works there only
    const b = await session('B');
    expect((await at('B').get('/patients', b)).status).toBe(200);
    expect((await at('A').get('/patients', b)).status).toBe(401);
    // the service token keeps working
    expect((await at('A').get('/site', sites.A.service)).status).toBe(200);
    expect((await at('A').get('/site', sites.B.service)).status).toBe(401);
  });

  it('answers unknown user and wrong password alike; bad bodies 400, other methods 405', async () => {
    const wrong = await at('A').login({ username: 'dr.who', password: 'password of B' });
    const unknown = await at('A').login({ username: 'nobody', password: 'password of A' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    const bad = await fetch(sites.A.base + '/auth/login', { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/not JSON/);
    const missing = await at('A').login({ username: 'dr.who' });
    expect([missing.status, (await missing.json()).error]).toEqual([400, expect.stringMatching(/^login: password:/)]);
    const big = await fetch(sites.A.base + '/auth/login', { method: 'POST', body: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await at('A').get('/auth/login', null)).status).toBe(405);
    expect((await fetch(sites.A.base + '/site', { method: 'POST', headers: { authorization: `Bearer ${sites.A.service}` } })).status).toBe(405);
  });

  it('throttles repeated failures (429, Retry-After) and ends sessions when the account changes', async () => {
    for (let i = 0; i < 5; i++) expect((await at('B').login({ username: 'ghost', password: `guess ${i}` })).status).toBe(401);
    const locked = await at('B').login({ username: 'ghost', password: 'guess 6' });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    const t = await session('A');
    const users = readUsers(usersPath(sites.A.dir));
    users[0].password_hash = await hashPassword('a new password', CHEAP);
    writeUsers(usersPath(sites.A.dir), users);
    expect((await at('A').get('/site', t)).status).toBe(401);
    const t2 = await session('A', 'a new password');
    expect((await at('A').get('/site', t2)).status).toBe(200);
    writeUsers(usersPath(sites.A.dir), []);
    expect((await at('A').get('/site', t2)).status).toBe(401);
    writeUsers(usersPath(sites.A.dir), users);
  });

  it('signs a session out (POST /auth/logout, 204): refused from then on, also by a restarted server; the service token cannot be', async () => {
    const logout = (base: string, auth: string | null, method = 'POST') => fetch(base + '/auth/logout', { method, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    const t1 = await session('A', 'a new password');
    await new Promise((r) => setTimeout(r, 2)); // two sign-ins of one account in the same millisecond would be one token
    const t2 = await session('A', 'a new password');
    const out = await logout(sites.A.base, t1);
    expect([out.status, await out.text()]).toEqual([204, '']);
    expect((await at('A').get('/site', t1)).status).toBe(401);
    expect((await at('A').get('/auth/me', t1)).status).toBe(401);
    expect((await at('A').get('/site', t2)).status).toBe(200);
    for (const t of [t1, null, 'garbage']) expect([t, (await logout(sites.A.base, t)).status]).toEqual([t, 401]);
    const service = await logout(sites.A.base, sites.A.service);
    expect([service.status, (await service.json()).error]).toEqual([400, expect.stringMatching(/service token is not a session and cannot be signed out/)]);
    expect((await at('A').get('/site', sites.A.service)).status).toBe(200);
    expect((await logout(sites.A.base, t2, 'GET')).status).toBe(405);
    // a token of site B cannot sign out at A, and B's sessions are untouched
    const b = await session('B');
    expect((await logout(sites.A.base, b)).status).toBe(401);
    expect((await at('B').get('/site', b)).status).toBe(200);
    // a second server on the same site folder (a restart) reads the revocation from revoked-tokens.json
    const restarted = await serveSite('A', sites.A.dir, sites.A.service);
    expect((await fetch(restarted + '/site', { headers: { authorization: `Bearer ${t1}` } })).status).toBe(401);
    expect((await fetch(restarted + '/site', { headers: { authorization: `Bearer ${t2}` } })).status).toBe(200);
  });
});

describe('site view routes', () => {
  let token: string;
  let chest: string;
  let brain: string;
  beforeAll(async () => {
    token = await session('A', 'a new password');
    chest = (await (await at('A').get('/patients', token)).json()).patients[0].id;
    const segList = await (await at('A').get('/patients?task=segment', token)).json();
    expect(segList.task).toBe('segment');
    expect(segList.tasks).toEqual(['classify', 'segment']);
    // a patient with a thick, labelled scan (its slices are samples of the latent Dice map)
    for (const p of segList.patients as { id: string }[]) {
      const v = VolumeInfo.parse(await (await at('A').get(`/patients/${p.id}/volume`, token)).json());
      if (v.scans.some((x) => x.labelled)) {
        brain = p.id;
        break;
      }
    }
    expect(brain).toBeDefined();
  });

  it('GET /site names the site, its tasks and models, the overlay legend and CT windows', async () => {
    const d = SiteDescription.parse(await (await at('A').get('/site', token)).json());
    expect(d).toMatchObject({ site: 'A', tasks: ['classify', 'segment'], models: { classify: { hash: cls.hash, input_size: 32 }, segment: { hash: seg.hash, input_size: 32 } } });
    expect(d.segmentation_legend!.map((l) => [l.class, l.name])).toEqual([[1, 'left lateral ventricle'], [2, 'right lateral ventricle'], [3, 'third ventricle'], [4, 'fourth ventricle']]);
    expect(new Set(d.segmentation_legend!.map((l) => l.rgba.join())).size).toBe(4);
    expect(d.ct_windows.lung).toEqual({ window: 1500, level: -600 });
    expect((await at('A').get('/site?x=1', token)).status).toBe(400);
  });

  it('GET /patients/:id/volume reports the scan header; window/level slices are the HU formula on its voxels', async () => {
    const v = VolumeInfo.parse(await (await at('A').get(`/patients/${chest}/volume`, token)).json());
    const rows = await (await at('A').get('/patients', token)).json();
    expect(rows.patients.map((p: { id: string }) => p.id)).toContain(chest);
    expect(v).toMatchObject({ patient: chest, task: 'classify', modality: 'CT', slices: 6, model_size: 32 });
    const path = (await import('../training/manifests.js')).selectRows;
    const sel = await path([fx.manifest], 'classify', ['train', 'val', 'test']);
    const vol = await readVolume(sel.rows.find((r) => r.entry.patient === chest)!.entry.paths[0]);
    expect([v.width, v.height, v.slices]).toEqual([vol.columns, vol.rows, vol.slices]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of vol.data) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
    expect(v.hu_range).toEqual([lo, hi]);
    const r = await at('A').get(`/patients/${chest}/slices/3.png?window=400&level=40`, token);
    expect(r.status).toBe(200);
    const png = decodeRgba(await r.arrayBuffer());
    expect([png.width, png.height]).toEqual([vol.columns, vol.rows]);
    const n = vol.rows * vol.columns;
    for (const p of [0, 17, Math.floor(n / 2), n - 1]) {
      const hu = vol.data[3 * n + p];
      const want = Math.round(Math.min(1, Math.max(0, (hu - (40 - 200)) / 400)) * 255);
      expect([p, png.data[4 * p]]).toEqual([p, want]);
    }
    const cases: [string, number, RegExp][] = [
      [`/patients/${chest}/slices/3.png?window=400`, 400, /window and level together/],
      [`/patients/${chest}/slices/3.png?window=0&level=40`, 400, /must be > 0 HU/],
      [`/patients/${chest}/slices/3.png?window=abc&level=40`, 400, /not a number/],
      [`/patients/${chest}/slices/99.png?window=400&level=40`, 404, /slice 99 does not exist: .* has 6 slices/],
      [`/patients/${chest}/slices/3.png?zoom=2`, 400, /unknown query parameter "zoom"/],
      [`/patients/${chest}/volume?task=other`, 400, /task "other" is not served/],
      [`/patients/${chest}/segmentation/0.png`, 404, /unknown patient .* segment manifests/],
      [`/patients/${brain}/latent-dice?task=classify`, 400, /needs the segment task/],
    ];
    for (const [p, status, msg] of cases) {
      const x = await at('A').get(p, token);
      expect([p, x.status]).toEqual([p, status]);
      expect((await x.json()).error).toMatch(msg);
    }
    // the model view is unchanged: 32×32 through the lung window
    const model = decodeRgba(await (await at('A').get(`/patients/${chest}/slices/3.png`, token)).arrayBuffer());
    expect([model.width, model.height]).toEqual([32, 32]);
  });

  it('segmentation overlays are RGBA class maps whose pixel counts match the explanation', async () => {
    const v = VolumeInfo.parse(await (await at('A').get(`/patients/${brain}/volume`, token)).json());
    expect(v.task).toBe('segment');
    const legend = SiteDescription.parse(await (await at('A').get('/site', token)).json()).segmentation_legend!;
    const e = ExplanationJson.parse(await (await at('A').get(`/patients/${brain}/explanation?slices=all&wait=1`, token)).json());
    if (e.task !== 'segment') throw new Error('segment explanation expected');
    expect(e.slices).toHaveLength(v.slices);
    let painted = 0;
    for (const s of e.slices.filter((_, k) => k % 3 === 0)) {
      const r = await at('A').get(`/patients/${brain}/segmentation/${s.index}.png`, token);
      expect(r.status).toBe(200);
      const png = decodeRgba(await r.arrayBuffer());
      expect([png.width, png.height]).toEqual([32, 32]);
      const counts = new Map<number, number>();
      for (let q = 0; q < 32 * 32; q++) {
        const px = [...png.data.subarray(4 * q, 4 * q + 4)];
        if (px[3] === 0) continue;
        const c = legend.find((l) => l.rgba.join() === px.join());
        expect(c, `pixel ${q} colour ${px}`).toBeDefined();
        counts.set(c!.class, (counts.get(c!.class) ?? 0) + 1);
      }
      for (const c of s.classes) expect([s.index, c.class, counts.get(c.class) ?? 0]).toEqual([s.index, c.class, c.pixels]);
      painted += [...counts.values()].reduce((a, b) => a + b, 0);
    }
    expect(painted).toBeGreaterThan(0);
    expect((await at('A').get(`/patients/${brain}/segmentation/${v.slices}.png`, token)).status).toBe(404);
  });

  it('latent Dice: the site map (same samples and PCA coordinates as the explanation) and this patient on it, computed once', async () => {
    const e = ExplanationJson.parse(await (await at('A').get(`/patients/${brain}/explanation?slices=all&wait=1`, token)).json());
    if (e.task !== 'segment' || !e.dice_map) throw new Error('segment explanation with a dice map expected');
    const r = await at('A').get(`/patients/${brain}/latent-dice`, token);
    expect(r.status).toBe(200);
    const d = LatentDice.parse(await r.json());
    expect(d.grid).toHaveLength(d.grid_size ** 2);
    expect(d.samples).toHaveLength(e.dice_map.samples);
    d.samples.forEach((s, i) => {
      expect(s.x).toBeCloseTo(e.dice_map!.coords[i][0], 9);
      expect(s.y).toBeCloseTo(e.dice_map!.coords[i][1], 9);
      expect(s.dice).toBeCloseTo(e.dice_map!.dice[i], 12);
    });
    expect(d.samples.flatMap((s, i) => (s.mine ? [i] : []))).toEqual(e.dice_map.patient_samples);
    const v = VolumeInfo.parse(await (await at('A').get(`/patients/${brain}/volume`, token)).json());
    expect(d.points).toHaveLength(v.slices);
    // a labelled slice of this patient lies exactly on its own sample
    const mine = d.samples.filter((s) => s.mine);
    expect(mine.length).toBeGreaterThan(0);
    for (const s of mine) expect(d.points.some((p) => Math.abs(p.x - s.x) < 1e-9 && Math.abs(p.y - s.y) < 1e-9 && p.dice !== null && Math.abs(p.dice - s.dice) < 1e-9)).toBe(true);
    for (const p of d.points) expect(p.predicted_dice).toBe(d.grid[gridCell(d, p.x, p.y)]);
    const again = LatentDice.parse(await (await at('A').get(`/patients/${brain}/latent-dice`, token)).json());
    expect(again.grid).toEqual(d.grid);

    // kept on disk: a new server on the same site folder reads it back instead of recomputing
    const dir = join(sites.A.dir, 'explanations', seg.hash);
    const file = (await readdir(dir)).find((f) => /^latent-dice-[0-9a-f]{16}\.json$/.test(f))!;
    expect(file).toBeDefined();
    const stored = JSON.parse(await readFile(join(dir, file), 'utf8'));
    expect(stored.map.r2).toBeCloseTo(d.r2, 12);
    await writeFile(join(dir, file), JSON.stringify({ ...stored, map: { ...stored.map, r2: 0.123456 } }));
    const fresh = async () => {
      const server = createSiteApi({ models: [seg], manifests: [fx.manifest], store: new ExplanationStore(join(sites.A.dir, 'explanations')), token: sites.A.service, log });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const r = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/patients/${brain}/latent-dice`, { headers: { authorization: `Bearer ${sites.A.service}` } });
        return LatentDice.parse(await r.json());
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    };
    const fromDisk = await fresh();
    expect(fromDisk.r2).toBe(0.123456);
    expect(fromDisk.points).toEqual(d.points);
    // a file for another model is not used: recomputed and rewritten
    await writeFile(join(dir, file), JSON.stringify({ ...stored, model: 'another-model', map: { ...stored.map, r2: 0.123456 } }));
    expect((await fresh()).r2).toBeCloseTo(d.r2, 12);
    expect(JSON.parse(await readFile(join(dir, file), 'utf8')).model).toBe(seg.hash);
  });
});

function gridCell(d: LatentDice, x: number, y: number): number {
  const [x0, x1, y0, y1] = d.extent;
  const G = d.grid_size;
  const gx = Math.min(G - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * G)));
  const gy = Math.min(G - 1, Math.max(0, Math.floor(((y - y0) / (y1 - y0)) * G)));
  return gy * G + gx;
}
