/**
 * One patient's explanation from the site's model and manifests: the JSON of result-formats.md
 * with its PNGs, shared by `unbox-site explain` (written to --out) and `unbox-site serve` (written
 * to the site's cache). Writing is atomic per file set: PNGs first, explanation.json last, so a
 * folder with an explanation.json is complete.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { windowCt, LUNG_WINDOW } from '@unbox/data';
import { toJsonText } from '@unbox/models';
import { cascadingLayers, withRandomisedWeights } from '@unbox/xai';
import { UserError } from '../errors.js';
import type { ManifestRow } from '../training/manifests.js';
import { explainClassifier, fillFor } from './classify.js';
import { loadClassifyScan, type LesionIndex } from './patient-scan.js';
import { ExplainParams, type ExplanationJson } from '@unbox/protocol';
import { explainSegmenter } from './segment.js';
import type { SiteModel } from './site-model.js';

export interface Explanation {
  json: ExplanationJson;
  pngs: Map<string, Uint8Array>;
}

export type Progress = (done: number, total: number, what: string) => void;

/** −1000 HU (air) through the classifier's lung window: the default fill of hidden superpixels. */
export const AIR_FILL = windowCt({ data: Float32Array.of(-1000), rows: 1, columns: 1, channels: 1 }, LUNG_WINDOW).data[0];

/** CLI/API flags → validated params; `fill` by name (air | blur | mean | zero). */
export function explainParams(raw: { slices?: string; top?: number; segments?: number; limeSamples?: number; shapSamples?: number | null; fill?: string; seed?: number; batchSize?: number }): ExplainParams {
  let slices: ExplainParams['slices'] = 'top';
  const s = raw.slices?.trim();
  if (s && s !== 'top') {
    if (s === 'all') slices = 'all';
    else {
      const parts = s.split(',').map((x) => x.trim());
      if (!parts.every((x) => /^\d+$/.test(x))) throw new UserError(`--slices: "${raw.slices}" is not top, all or a list of slice indices like 3,7`);
      slices = parts.map(Number);
    }
  }
  let fill;
  try {
    fill = fillFor(raw.fill ?? 'air', AIR_FILL);
  } catch (e) {
    throw new UserError(`--fill: ${(e as Error).message}`);
  }
  const r = ExplainParams.safeParse({ ...raw, slices, fill, shapSamples: raw.shapSamples ?? null });
  if (!r.success) throw new UserError(`invalid explanation parameters: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export interface ExplainInputs {
  site: SiteModel;
  /** the patient's manifest rows for the model's task (patientRows) */
  rows: ManifestRow[];
  params: ExplainParams;
  lesions?: LesionIndex;
  /** every segment row of the manifests: the latent Dice map's samples */
  segmentRows?: ManifestRow[];
  onProgress?: Progress;
  /**
   * Explain with every weighted layer re-drawn from this seed (the end state of Adebayo et al.'s
   * cascading randomisation), the trained weights restored after: the baseline that tells how much
   * of an explanation comes from the image and the perturbation alone, not from what the model learnt.
   */
  randomiseWeightsSeed?: number;
}

export async function computeExplanation(inp: ExplainInputs): Promise<Explanation> {
  const seed = inp.randomiseWeightsSeed;
  if (seed === undefined) return explainWith(inp);
  return withRandomisedWeights(inp.site.model, cascadingLayers(inp.site.model), seed, () => explainWith(inp));
}

async function explainWith(inp: ExplainInputs): Promise<Explanation> {
  const { site, rows, params } = inp;
  const { config } = site;
  const seed = inp.randomiseWeightsSeed;
  const provenance = {
    backend: site.backend.backend, seed: params.seed, config, versions: { ...site.backend.versions }, created: new Date().toISOString(),
    model: { dir: site.dir, hash: site.hash, step: site.step, ...(seed === undefined ? {} : { randomised_weights_seed: seed }) }, params,
  };
  if (config.task === 'classify') {
    const scan = await loadClassifyScan(rows, { size: config.model.backbone.inputSize, lungCrop: config.model.lungCrop }, inp.lesions);
    let e;
    try {
      e = await explainClassifier(site.model, config.model, scan, params, inp.onProgress);
    } catch (err) {
      if (err instanceof RangeError) throw new UserError(err.message);
      throw err;
    }
    const { pngs, ...numbers } = e;
    return { json: { task: 'classify', patient: scan.id, centre: scan.centre, mode: config.model.mode, ...numbers, ...provenance }, pngs };
  }
  const seg = await explainSegmenter(site, rows, inp.segmentRows ?? rows, params, inp.onProgress);
  return { json: { task: 'segment', ...seg.json, ...provenance }, pngs: seg.pngs };
}

/** PNGs then explanation.json, each written to a temporary name and renamed. */
export async function writeExplanation(dir: string, e: Explanation): Promise<string> {
  await mkdir(dir, { recursive: true });
  const put = async (name: string, bytes: Uint8Array | string) => {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(dir, name));
  };
  for (const [name, bytes] of e.pngs) await put(name, bytes);
  await put('explanation.json', toJsonText(e.json) + '\n');
  return join(dir, 'explanation.json');
}
