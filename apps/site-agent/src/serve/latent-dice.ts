/**
 * The site's latent Dice map (paper 3.3.3, Fig. 17) for the dashboard, computed once per segmenter
 * model: every labelled slice of the site's segment manifests through the encoder, PCA of the
 * pooled features to 2-D, an MLP fitted to the per-slice Dice over that plane (libs/xai
 * latentDiceMap, seed 0), evaluated on a grid. A patient's slices (labelled or not) are projected
 * with the same PCA; their predicted Dice is the grid cell they fall in (clamped to the grid).
 * The map is kept on disk next to the explanations, keyed by model hash and manifest rows, so a
 * restarted server does not recompute it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { latentDiceMap, pcaTransform, type DiceMap } from '@unbox/xai';
import type { LatentDice } from '@unbox/protocol';
import { UserError } from '../errors.js';
import type { SiteModel } from '../explain/site-model.js';
import type { SegmentTrainConfig } from '../training/config.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import { segmentImages, type SegmentedSlice } from './segmentation.js';

export interface SiteDiceMap {
  map: DiceMap;
  k: number;
  /** patient id of each sample (slice ids are "<patient>#<scan>:<slice>") */
  patients: string[];
}

const patientOf = (sliceId: string) => sliceId.slice(0, sliceId.lastIndexOf('#'));

export async function computeSiteDiceMap(site: SiteModel, allRows: ManifestRow[], seed = 0): Promise<SiteDiceMap> {
  const { inputSize: size, inputChannels: channels } = (site.config as SegmentTrainConfig).model.encoder;
  const imgs = await loadSegmentImages(allRows, { size, channels, augmentSeed: null });
  const seg = segmentImages(site, imgs.labelled.filter((im) => im.mask));
  // Dice undefined (no ventricle in truth or prediction): not a sample of the map
  const samples = seg.filter((s) => s.dice !== null);
  if (samples.length < 3) throw new UserError(`latent Dice map: needs at least 3 labelled slices with a defined Dice, the site's segment manifests give ${samples.length}`);
  const k = samples[0].features.length;
  const features = { data: Float64Array.from(samples.flatMap((s) => Array.from(s.features))), rows: samples.length, cols: k };
  const map = latentDiceMap(features, samples.map((s) => s.dice!), { seed });
  return { map, k, patients: samples.map((s) => patientOf(s.id)) };
}

function gridValue(m: DiceMap, x: number, y: number): number {
  const [x0, x1, y0, y1] = m.extent;
  const G = m.gridSize;
  const gx = Math.min(G - 1, Math.max(0, Math.floor(((x - x0) / (x1 - x0)) * G)));
  const gy = Math.min(G - 1, Math.max(0, Math.floor(((y - y0) / (y1 - y0)) * G)));
  return m.grid[gy * G + gx];
}

export function patientDiceView(d: SiteDiceMap, site: SiteModel, patient: string, slices: SegmentedSlice[]): LatentDice {
  const { map } = d;
  const proj = slices.length ? pcaTransform(map.pca, { data: Float64Array.from(slices.flatMap((s) => Array.from(s.features))), rows: slices.length, cols: d.k }) : new Float64Array(0);
  return {
    patient,
    model: { hash: site.hash, step: site.step },
    grid_size: map.gridSize,
    grid: Array.from(map.grid),
    extent: map.extent,
    samples: d.patients.map((p, i) => ({ x: map.coords[2 * i], y: map.coords[2 * i + 1], dice: map.dice[i], patient: p, mine: p === patient })),
    points: slices.map((s, i) => ({ slice: i, x: proj[2 * i], y: proj[2 * i + 1], predicted_dice: gridValue(map, proj[2 * i], proj[2 * i + 1]), dice: s.dice })),
    explained_variance_ratio: map.explainedVarianceRatio,
    rmse: map.rmse,
    r2: map.r2,
  };
}

// ---- disk cache ---------------------------------------------------------------------------------

const nums = z.array(z.number());
const Cached = z.strictObject({
  version: z.literal(1),
  model: z.string(),
  rows: z.string(),
  k: z.number().int().positive(),
  patients: z.array(z.string()),
  map: z.strictObject({ coords: nums, dice: nums, explainedVarianceRatio: z.tuple([z.number(), z.number()]), grid: nums, gridSize: z.number().int().positive(), extent: z.tuple([z.number(), z.number(), z.number(), z.number()]), fitted: nums, rmse: z.number(), r2: z.number() }),
  pca: z.strictObject({ mean: nums, components: nums, nComponents: z.number().int(), dim: z.number().int(), explainedVariance: nums, explainedVarianceRatio: nums }),
});

/** Which samples a map was fitted on: the manifest rows (patients, scans, masks). */
export function rowsKey(rows: ManifestRow[]): string {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify([r.centre, r.entry.patient, r.entry.paths, r.entry.mask ?? null])).update('\n');
  return h.digest('hex').slice(0, 16);
}

export const diceMapPath = (root: string, modelHash: string, rows: ManifestRow[]) => join(root, modelHash, `latent-dice-${rowsKey(rows)}.json`);

/** The stored map for this model and these rows, or null (absent, unreadable or for other inputs: recomputed). */
export async function readSiteDiceMap(path: string, modelHash: string, rows: ManifestRow[]): Promise<SiteDiceMap | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return null;
  }
  const r = Cached.safeParse(json);
  if (!r.success || r.data.model !== modelHash || r.data.rows !== rowsKey(rows)) return null;
  const { map: m, pca: p } = r.data;
  return {
    k: r.data.k,
    patients: r.data.patients,
    map: {
      ...m, coords: Float64Array.from(m.coords), dice: Float64Array.from(m.dice), grid: Float32Array.from(m.grid), fitted: Float64Array.from(m.fitted),
      pca: { ...p, mean: Float64Array.from(p.mean), components: Float64Array.from(p.components), explainedVariance: Float64Array.from(p.explainedVariance), explainedVarianceRatio: Float64Array.from(p.explainedVarianceRatio) },
    },
  };
}

export async function writeSiteDiceMap(path: string, modelHash: string, rows: ManifestRow[], d: SiteDiceMap): Promise<void> {
  const m = d.map;
  const p = m.pca;
  const body: z.infer<typeof Cached> = {
    version: 1, model: modelHash, rows: rowsKey(rows), k: d.k, patients: d.patients,
    map: { coords: Array.from(m.coords), dice: Array.from(m.dice), explainedVarianceRatio: m.explainedVarianceRatio, grid: Array.from(m.grid), gridSize: m.gridSize, extent: m.extent, fitted: Array.from(m.fitted), rmse: m.rmse, r2: m.r2 },
    pca: { mean: Array.from(p.mean), components: Array.from(p.components), nComponents: p.nComponents, dim: p.dim, explainedVariance: Array.from(p.explainedVariance), explainedVarianceRatio: Array.from(p.explainedVarianceRatio) },
  };
  await mkdir(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(body));
  await rename(tmp, path);
}

/** Stored map if there is one for this model and rows, else computed and stored. */
export async function siteDiceMap(root: string, site: SiteModel, rows: ManifestRow[]): Promise<SiteDiceMap> {
  const path = diceMapPath(root, site.hash, rows);
  const stored = await readSiteDiceMap(path, site.hash, rows);
  if (stored) return stored;
  const d = await computeSiteDiceMap(site, rows);
  await writeSiteDiceMap(path, site.hash, rows, d);
  return d;
}
