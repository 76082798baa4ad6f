/**
 * The site's local explanation API (node:http), for the site's own clinicians and only over this
 * site's manifests. Every request needs `Authorization: Bearer <token>`. Routes (GET only):
 *   /patients                                   ids, centres, splits and scores (patient probability)
 *   /patients/:id/explanation[?params][&wait=1] 200 explanation.json once stored; 202 {status, progress} while computing
 *   /patients/:id/explanation/:name.png[?params] a PNG of that stored explanation
 *   /patients/:id/slices/:i.png                 slice i as the model sees it (greyscale)
 * params: slices (top|all|i,j), top, segments, lime_samples, shap_samples, fill, seed.
 * Errors are JSON {error}: 400 bad request, 401 no/wrong token, 404 unknown patient/route/file,
 * 405 other methods, 500 a failed computation or a bug (logged; the server keeps serving).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { encodeGrayPng } from '@unbox/data';
import { UserError, isUserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { forwardScan } from '../explain/classify.js';
import { loadClassifyScan, patientRows, type LesionIndex } from '../explain/patient-scan.js';
import { computeExplanation, explainParams } from '../explain/run.js';
import type { SiteModel } from '../explain/site-model.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import { bearerMatches } from './token.js';
import { storeKey, type ExplanationStore } from './store.js';

export interface SiteApiOptions {
  site: SiteModel;
  manifests: string[];
  store: ExplanationStore;
  token: string;
  lesions?: LesionIndex;
  log: Logger;
}

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

const KNOWN = new Set(['slices', 'top', 'segments', 'lime_samples', 'shap_samples', 'fill', 'seed', 'wait']);

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

export function createSiteApi(opts: SiteApiOptions): Server {
  const { site, store, log } = opts;
  const task = site.config.task;
  let patients: Promise<Map<string, ManifestRow[]>> | null = null;
  const rowsByPatient = () => (patients ??= patientRows(opts.manifests, task).catch((e: Error) => {
    patients = null;
    throw e;
  }));
  let scores: Promise<{ id: string; centre: string; split: string; label: string | null; score: number | null; error?: string }[]> | null = null;
  const computeScores = async () => {
    const out = [];
    for (const [id, rows] of await rowsByPatient()) {
      const base = { id, centre: rows[0].centre, split: rows[0].entry.split, label: rows[0].entry.label ?? null };
      if (task !== 'classify') {
        out.push({ ...base, score: null });
        continue;
      }
      try {
        const scan = await loadClassifyScan(rows, site.config.model.backbone.inputSize);
        const f = await forwardScan(site.model, site.config.model, scan);
        out.push({ ...base, score: f.probability });
      } catch (e) {
        out.push({ ...base, score: null, error: (e as Error).message });
      }
    }
    return out;
  };

  async function patient(id: string): Promise<ManifestRow[]> {
    const rows = (await rowsByPatient()).get(id);
    if (!rows) throw new HttpError(404, `unknown patient "${id}"`);
    return rows;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!bearerMatches(req.headers.authorization, opts.token)) {
      sendJson(res, 401, { error: 'missing or wrong bearer token (Authorization: Bearer <token from the site folder>)' }, { 'www-authenticate': 'Bearer realm="unbox-site"' });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: `method ${req.method} not allowed: this API is read-only (GET)` }, { allow: 'GET' });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in the path');
    }
    if (parts.length === 1 && parts[0] === 'patients') {
      if ([...url.searchParams.keys()].length) throw new HttpError(400, '/patients takes no query parameters');
      scores ??= computeScores().catch((e: Error) => {
        scores = null;
        throw e;
      });
      sendJson(res, 200, { task, model: { hash: site.hash, step: site.step }, patients: await scores });
      return;
    }
    if (parts[0] !== 'patients' || parts.length < 3) throw new HttpError(404, `no route ${url.pathname}`);
    const id = parts[1];
    if (parts[2] === 'slices' && parts.length === 4) {
      const m = /^(\d+)\.png$/.exec(parts[3]);
      if (!m) throw new HttpError(404, `no route ${url.pathname} (slices are /patients/:id/slices/<index>.png)`);
      const rows = await patient(id);
      const i = Number(m[1]);
      const { grey, size, count } = await sliceGrey(rows, i);
      if (!grey) throw new HttpError(404, `slice ${i} does not exist: patient "${id}" has ${count} slices (0..${count - 1})`);
      const bytes = new Uint8Array(grey.length);
      for (let p = 0; p < grey.length; p++) bytes[p] = Math.round(Math.min(1, Math.max(0, grey[p])) * 255);
      send(res, 200, encodeGrayPng(bytes, size, size), 'image/png');
      return;
    }
    if (parts[2] !== 'explanation' || parts.length > 4) throw new HttpError(404, `no route ${url.pathname}`);
    const rows = await patient(id);
    const params = paramsOf(url.searchParams);
    const key = storeKey(site.hash, id, params);
    // The latent Dice map's samples: every labelled segment scan of this site's manifests.
    const segmentRows = task === 'segment' ? [...(await rowsByPatient()).values()].flat() : undefined;
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

  async function sliceGrey(rows: ManifestRow[], i: number): Promise<{ grey: Float32Array | null; size: number; count: number }> {
    if (task === 'classify') {
      const size = site.config.model.backbone.inputSize;
      const scan = await loadClassifyScan(rows, size);
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
    for (const v of g) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return { grey: g.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0)), size, count: all.length };
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
