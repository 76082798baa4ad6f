/**
 * The site's local API (node:http) for the site's own clinicians and the dashboard's site view,
 * only over this site's manifests. Every route but POST /auth/login needs `Authorization: Bearer
 * <token>`: the service token (serve-token) or a clinician session of this site. Routes:
 *   POST /auth/login {username, password}       → {token, role: 'clinician', username, site, expires_at}
 *   POST /auth/logout                           204: the bearer clinician session is refused from now until it
 *                                               expires, also after a restart (the service token: 400)
 *   GET /auth/me                                who the token is: {role: 'clinician', username, site, expires_at} or {role: 'service', site}
 *   GET /site                                   site id, served tasks and models, overlay legend, CT window presets
 *   GET /patients[?task=]                       ids, centres, splits and scores (patient probability) of one task
 *   GET /patients/:id/volume                    slice count, native size, modality, spacing, HU range
 *   GET /patients/:id/explanation[?params][&wait=1] 200 explanation.json once stored; 202 {status, progress} while computing
 *   GET /patients/:id/explanation/:name.png[?params] a PNG of that stored explanation
 *   GET /patients/:id/slices/:i.png[?window=W&level=L] slice i as the model sees it (greyscale), or a CT
 *                                               slice at native resolution through a HU window/level
 *   GET /patients/:id/segmentation/:i.png       segmenter's class map of slice i: RGBA, transparent background, legend in /site
 *   GET /patients/:id/latent-dice               the site's latent Dice map (computed once per model, kept on disk) and this patient's slices on it
 * A patient is looked up in the task given by ?task= (classify | segment), else in the served
 * models' order. params: slices (top|all|i,j), top, segments, lime_samples, shap_samples, fill, seed.
 * Errors are JSON {error}: 400 bad request, 401 no/wrong token or credentials, 404 unknown
 * patient/route/file, 405 other methods, 413 body too large, 429 too many failed sign-ins, 500 a
 * failed computation or a bug (logged; the server keeps serving).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { encodeGrayPng } from '@unbox/data';
import type { PatientScore, SiteDescription, VolumeInfo } from '@unbox/protocol';
import { UserError, isUserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { forwardScan } from '../explain/classify.js';
import type { PatientScan } from '../explain/classify.js';
import { loadClassifyScan, patientRows, type LesionIndex } from '../explain/patient-scan.js';
import { computeExplanation, explainParams } from '../explain/run.js';
import type { SiteModel } from '../explain/site-model.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import type { SegmentTrainConfig } from '../training/config.js';
import type { Principal, SiteAuth } from './auth.js';
import { patientDiceView, siteDiceMap, type SiteDiceMap } from './latent-dice.js';
import { overlayPng, segmentationLegend, segmentPatient, type SegmentedSlice } from './segmentation.js';
import { bearerMatches } from './token.js';
import { storeKey, type ExplanationStore } from './store.js';
import { CT_WINDOWS, huRange, locateSlice, RecentCache, scanLungRoi, VolumeCache, windowedSlice } from './viewer.js';

export interface SiteApiOptions {
  /** the served model (one task); or `models` */
  site?: SiteModel;
  /** one model per task (classify and/or segment), in the order patients are looked up */
  models?: SiteModel[];
  manifests: string[];
  store: ExplanationStore;
  /** the service bearer token */
  token: string;
  /** clinician sign-in (POST /auth/login and session tokens); without it only the service token works */
  auth?: SiteAuth;
  /** this site's id for GET /site (default: auth's site, else "site") */
  siteId?: string;
  lesions?: LesionIndex;
  log: Logger;
}

type Task = 'classify' | 'segment';

/** One served model with its patients and caches. */
interface TaskView {
  task: Task;
  site: SiteModel;
  rows(): Promise<Map<string, ManifestRow[]>>;
  scores: Promise<PatientScore[]> | null;
  /** segment: per patient class maps and features (a few patients kept) */
  segmented: Map<string, Promise<SegmentedSlice[]>>;
  diceMap: Promise<SiteDiceMap> | null;
}

const MAX_BODY = 16 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'application/json; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => send(res, status, JSON.stringify(value), undefined, headers);

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `query parameter ${name}: "${v}" is not a whole number`);
  return Number(v);
}

const KNOWN = new Set(['slices', 'top', 'segments', 'lime_samples', 'shap_samples', 'fill', 'seed', 'wait', 'task']);

function paramsOf(q: URLSearchParams) {
  for (const k of q.keys()) if (!KNOWN.has(k)) throw new HttpError(400, `unknown query parameter "${k}" (known: ${[...KNOWN].join(', ')})`);
  const fill = q.get('fill') ?? undefined;
  if (fill !== undefined && !['air', 'blur', 'mean', 'zero'].includes(fill)) throw new HttpError(400, `query parameter fill: "${fill}" is not air, blur, mean or zero`);
  try {
    return explainParams({
      slices: q.get('slices') ?? undefined, top: intParam(q, 'top'), segments: intParam(q, 'segments'), limeSamples: intParam(q, 'lime_samples'),
      shapSamples: intParam(q, 'shap_samples') ?? null, fill, seed: intParam(q, 'seed'),
    });
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, (e as Error).message.replace(/^--/, ''));
  }
}

function noQuery(url: URL, allowed: string[] = []): void {
  for (const k of url.searchParams.keys()) if (!allowed.includes(k)) throw new HttpError(400, `${url.pathname}: unknown query parameter "${k}"${allowed.length ? ` (known: ${allowed.join(', ')})` : ' (takes none)'}`);
}

function numberParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(v)) throw new HttpError(400, `query parameter ${name}: "${v}" is not a number`);
  return Number(v);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body larger than ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON (expected {"username": …, "password": …})');
  }
}

export function createSiteApi(opts: SiteApiOptions): Server {
  const { store, log } = opts;
  const models = opts.models ?? (opts.site ? [opts.site] : []);
  if (!models.length) throw new UserError('serve: no model given');
  const views: TaskView[] = [];
  for (const site of models) {
    const task = site.config.task;
    if (views.some((v) => v.task === task)) throw new UserError(`serve: two ${task} models given (${views.find((v) => v.task === task)!.site.dir} and ${site.dir}); give at most one per task`);
    let patients: Promise<Map<string, ManifestRow[]>> | null = null;
    views.push({
      task, site, scores: null, segmented: new Map(), diceMap: null,
      rows: () => (patients ??= patientRows(opts.manifests, task).catch((e: Error) => {
        patients = null;
        throw e;
      })),
    });
  }
  const siteId = opts.siteId ?? opts.auth?.site ?? 'site';
  const volumes = new VolumeCache();
  // the classifier's view of the patients being scrolled: each slice PNG would otherwise read and preprocess the whole scan
  const modelViews = new RecentCache<PatientScan>(2);
  const segView = views.find((v) => v.task === 'segment');

  const computeScores = async (v: TaskView): Promise<PatientScore[]> => {
    const out: PatientScore[] = [];
    for (const [id, rows] of await v.rows()) {
      const base = { id, centre: rows[0].centre, split: rows[0].entry.split, label: rows[0].entry.label ?? null };
      const config = v.site.config;
      if (config.task !== 'classify') {
        out.push({ ...base, score: null });
        continue;
      }
      try {
        const scan = await loadClassifyScan(rows, { size: config.model.backbone.inputSize, lungCrop: config.model.lungCrop });
        const f = await forwardScan(v.site.model, config.model, scan);
        out.push({ ...base, score: f.probability });
      } catch (e) {
        out.push({ ...base, score: null, error: (e as Error).message });
      }
    }
    return out;
  };

  function viewFor(url: URL): TaskView | null {
    const t = url.searchParams.get('task');
    if (t === null) return null;
    const v = views.find((x) => x.task === t);
    if (!v) throw new HttpError(t === 'classify' || t === 'segment' ? 404 : 400, `task "${t}" is not served here (tasks: ${views.map((x) => x.task).join(', ')})`);
    return v;
  }

  /** The patient's rows in the asked task, else in the first served task that has the patient. */
  async function patient(id: string, url: URL, need?: Task): Promise<{ v: TaskView; rows: ManifestRow[] }> {
    const asked = viewFor(url);
    if (need && asked && asked.task !== need) throw new HttpError(400, `this route needs the ${need} task, ?task=${asked.task} was given`);
    const candidates = need ? views.filter((v) => v.task === need) : asked ? [asked] : views;
    if (need && !candidates.length) throw new HttpError(404, `no ${need === 'segment' ? 'segmenter' : 'classifier'} is served here (serve --model <${need} model>)`);
    for (const v of candidates) {
      const rows = (await v.rows()).get(id);
      if (rows) return { v, rows };
    }
    throw new HttpError(404, `unknown patient "${id}"${candidates.length === 1 ? ` in this site's ${candidates[0].task} manifests` : ''}`);
  }

  function segmented(v: TaskView, id: string, rows: ManifestRow[]): Promise<SegmentedSlice[]> {
    let p = v.segmented.get(id);
    if (!p) {
      p = segmentPatient(v.site, rows);
      p.catch(() => v.segmented.delete(id));
      v.segmented.set(id, p);
      while (v.segmented.size > 4) v.segmented.delete(v.segmented.keys().next().value!);
    }
    return p;
  }

  function describeSite(): SiteDescription {
    const legend = segView ? segmentationLegend((segView.site.config as SegmentTrainConfig).model.numClasses) : undefined;
    return {
      site: siteId,
      tasks: views.map((v) => v.task),
      models: Object.fromEntries(views.map((v) => [v.task, { hash: v.site.hash, step: v.site.step, input_size: inputSize(v.site) }])),
      ...(legend ? { segmentation_legend: legend } : {}),
      ct_windows: { ...CT_WINDOWS },
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/auth/login') {
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: `method ${req.method} not allowed: sign in with POST /auth/login` }, { allow: 'POST' });
        return;
      }
      if (!opts.auth) throw new HttpError(404, 'clinician sign-in is not enabled on this server');
      const r = await opts.auth.login(await readJsonBody(req));
      if (r.ok) sendJson(res, 200, r.body);
      else sendJson(res, r.status, { error: r.error }, r.retryAfterS ? { 'retry-after': String(r.retryAfterS) } : {});
      return;
    }
    const who: Principal | null = opts.auth ? opts.auth.authorize(req.headers.authorization) : bearerMatches(req.headers.authorization, opts.token) ? { kind: 'service' } : null;
    if (!who) {
      sendJson(res, 401, { error: 'missing or wrong bearer token (a clinician session of this site from POST /auth/login, or the service token from the site folder)' }, { 'www-authenticate': 'Bearer realm="unbox-site"' });
      return;
    }
    if (url.pathname === '/auth/logout') {
      if (req.method !== 'POST') {
        sendJson(res, 405, { error: `method ${req.method} not allowed: sign out with POST /auth/logout` }, { allow: 'POST' });
        return;
      }
      if (!opts.auth) throw new HttpError(400, 'clinician sign-in is not enabled on this server: the service token is not a session and cannot be signed out');
      const r = opts.auth.logout(req.headers.authorization);
      if (r.ok) {
        res.writeHead(204, { 'cache-control': 'no-store' });
        res.end();
      } else sendJson(res, r.status, { error: r.error });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `method ${req.method} not allowed: this API is read-only (GET), but for POST /auth/login and /auth/logout` }, { allow: 'GET' });
      return;
    }
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the path');
    }
    if (parts.length === 2 && parts[0] === 'auth' && parts[1] === 'me') {
      noQuery(url);
      sendJson(res, 200, who.kind === 'clinician' ? { role: 'clinician', username: who.username, site: who.site, expires_at: who.expiresAt } : { role: 'service', site: siteId });
      return;
    }
    if (parts.length === 1 && parts[0] === 'site') {
      noQuery(url);
      sendJson(res, 200, describeSite());
      return;
    }
    if (parts.length === 1 && parts[0] === 'patients') {
      if ([...url.searchParams.keys()].some((k) => k !== 'task')) throw new HttpError(400, '/patients takes no query parameters but task');
      const v = viewFor(url) ?? views[0];
      v.scores ??= computeScores(v).catch((e: Error) => {
        v.scores = null;
        throw e;
      });
      sendJson(res, 200, { task: v.task, tasks: views.map((x) => x.task), model: { hash: v.site.hash, step: v.site.step }, patients: await v.scores });
      return;
    }
    if (parts[0] !== 'patients' || parts.length < 3) throw new HttpError(404, `no route ${url.pathname}`);
    const id = parts[1];
    if (parts[2] === 'volume' && parts.length === 3) {
      noQuery(url, ['task']);
      const { v, rows } = await patient(id, url);
      const scans = await volumes.scans(`${v.task}\u0000${id}`, rows, v.task);
      const first = scans[0].volume;
      const body: VolumeInfo = {
        patient: id, centre: rows[0].centre, task: v.task, modality: rows[0].entry.modality,
        slices: scans.reduce((a, s) => a + s.volume.slices, 0), width: first.columns, height: first.rows, model_size: inputSize(v.site),
        spacing_mm: first.spacing, slice_thickness_mm: first.sliceThickness ?? rows[0].entry.slice_thickness ?? null, hu_range: huRange(scans),
        scans: scans.map((s) => ({ slices: s.volume.slices, rows: s.volume.rows, columns: s.volume.columns, labelled: s.labelled })),
      };
      sendJson(res, 200, body);
      return;
    }
    if (parts[2] === 'latent-dice' && parts.length === 3) {
      noQuery(url, ['task']);
      const { v, rows } = await patient(id, url, 'segment');
      v.diceMap ??= v.rows().then((all) => siteDiceMap(store.root, v.site, [...all.values()].flat())).catch((e: Error) => {
        v.diceMap = null;
        throw e;
      });
      const map = await v.diceMap;
      sendJson(res, 200, patientDiceView(map, v.site, id, await segmented(v, id, rows)));
      return;
    }
    if ((parts[2] === 'slices' || parts[2] === 'segmentation') && parts.length === 4) {
      const m = /^(\d+)\.png$/.exec(parts[3]);
      if (!m) throw new HttpError(404, `no route ${url.pathname} (use /patients/:id/${parts[2]}/<index>.png)`);
      const i = Number(m[1]);
      if (parts[2] === 'segmentation') {
        noQuery(url, ['task']);
        const { v, rows } = await patient(id, url, 'segment');
        const slices = await segmented(v, id, rows);
        if (i >= slices.length) throw new HttpError(404, `slice ${i} does not exist: patient "${id}" has ${slices.length} slices (0..${slices.length - 1})`);
        const size = inputSize(v.site);
        send(res, 200, overlayPng(slices[i].classes, size, segmentationLegend((v.site.config as SegmentTrainConfig).model.numClasses)), 'image/png');
        return;
      }
      noQuery(url, ['task', 'window', 'level']);
      const { v, rows } = await patient(id, url);
      const window = numberParam(url.searchParams, 'window');
      const level = numberParam(url.searchParams, 'level');
      if ((window === undefined) !== (level === undefined)) throw new HttpError(400, 'give window and level together (HU), e.g. ?window=1500&level=-600');
      if (window !== undefined && level !== undefined) {
        if (!(window > 0)) throw new HttpError(400, `query parameter window: must be > 0 HU, got ${window}`);
        const scans = await volumes.scans(`${v.task}\u0000${id}`, rows, v.task);
        const at = locateSlice(scans, i);
        const count = scans.reduce((a, s) => a + s.volume.slices, 0);
        if (!at) throw new HttpError(404, `slice ${i} does not exist: patient "${id}" has ${count} slices (0..${count - 1})`);
        const lungCrop = v.site.config.task === 'classify' && v.site.config.model.lungCrop;
        const w = windowedSlice(at.scan, at.slice, window, level, lungCrop ? scanLungRoi(at.scan) : undefined);
        send(res, 200, encodeGrayPng(w.grey, w.width, w.height), 'image/png');
        return;
      }
      const { grey, size, count } = await sliceGrey(v, rows, i);
      if (!grey) throw new HttpError(404, `slice ${i} does not exist: patient "${id}" has ${count} slices (0..${count - 1})`);
      const bytes = new Uint8Array(grey.length);
      for (let p = 0; p < grey.length; p++) bytes[p] = Math.round(Math.min(1, Math.max(0, grey[p])) * 255);
      send(res, 200, encodeGrayPng(bytes, size, size), 'image/png');
      return;
    }
    if (parts[2] !== 'explanation' || parts.length > 4) throw new HttpError(404, `no route ${url.pathname}`);
    const { v, rows } = await patient(id, url);
    const site = v.site;
    const params = paramsOf(url.searchParams);
    const key = storeKey(site.hash, id, params);
    // The latent Dice map's samples: every labelled segment scan of this site's manifests.
    const segmentRows = v.task === 'segment' ? [...(await v.rows()).values()].flat() : undefined;
    const compute = (onProgress: (d: number, t: number, w: string) => void) => computeExplanation({ site, rows, params, lesions: opts.lesions, segmentRows, onProgress });
    if (parts.length === 4) {
      const name = parts[3];
      if (!/^[A-Za-z0-9_]{1,64}\.png$/.test(name)) throw new HttpError(404, `no file "${name}"`);
      const stored = await store.read(key.dir);
      if (!stored) throw new HttpError(404, `explanation of "${id}" with these parameters is not computed yet: GET /patients/${encodeURIComponent(id)}/explanation first`);
      if (!JSON.stringify(stored.json).includes(`"${name}"`)) throw new HttpError(404, `no file "${name}" in this explanation`);
      send(res, 200, await readFile(join(store.root, key.dir, name)), 'image/png');
      return;
    }
    let r = await store.lookup(key, compute);
    if (r.status === 'computing' && url.searchParams.get('wait') === '1') {
      await store.settled(key.key);
      r = await store.lookup(key, compute);
      if (r.status === 'computing') throw new HttpError(500, 'explanation still computing after wait');
    }
    if (r.status === 'done') send(res, 200, r.text, undefined, { 'x-unbox-status': 'done', 'x-unbox-cache-key': key.key });
    else if (r.status === 'computing') sendJson(res, 202, { status: 'computing', patient: id, progress: r.progress }, { 'retry-after': '2' });
    else {
      const err: unknown = r.error;
      const user = isUserError(err) || err instanceof RangeError;
      if (!user) log.error('explanation failed', { patient: id, error: r.error.message });
      sendJson(res, user ? 400 : 500, { status: 'failed', error: r.error.message });
    }
  }

  async function sliceGrey(v: TaskView, rows: ManifestRow[], i: number): Promise<{ grey: Float32Array | null; size: number; count: number }> {
    const site = v.site;
    if (site.config.task === 'classify') {
      const size = site.config.model.backbone.inputSize;
      const lungCrop = site.config.model.lungCrop;
      const scan = await modelViews.get(`${site.hash}\u0000${rows[0].centre}\u0000${rows[0].entry.patient}`, () => loadClassifyScan(rows, { size, lungCrop }));
      if (i >= scan.slices) return { grey: null, size, count: scan.slices };
      return { grey: scan.grey.slice(i * size * size, (i + 1) * size * size), size, count: scan.slices };
    }
    const { inputSize: size, inputChannels: ch } = site.config.model.encoder;
    const imgs = await loadSegmentImages(rows, { size, channels: ch, augmentSeed: null });
    if (imgs.skipped.length) throw new UserError(imgs.skipped.map((s) => s.reason).join('; '));
    const all = [...imgs.labelled, ...imgs.unlabelled];
    if (i >= all.length) return { grey: null, size, count: all.length };
    const g = Float32Array.from({ length: size * size }, (_, p) => all[i].data[p * ch]);
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of g) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return { grey: g.map((x) => (hi > lo ? (x - lo) / (hi - lo) : 0)), size, count: all.length };
  }

  return createServer((req, res) => {
    route(req, res).catch((e: Error) => {
      const status = e instanceof HttpError ? e.status : isUserError(e) ? 400 : 500;
      if (status === 500) log.error('request failed', { url: req.url, error: e.message, stack: e.stack });
      if (!res.headersSent) sendJson(res, status, { error: status === 500 ? `internal error: ${e.message}` : e.message });
      else res.end();
    });
  });
}

function inputSize(site: SiteModel): number {
  return site.config.task === 'classify' ? site.config.model.backbone.inputSize : site.config.model.encoder.inputSize;
}
