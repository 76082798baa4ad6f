/**
 * The site's latent Dice map (paper 3.3.3, Fig. 17) for the dashboard, computed once per segmenter
 * model: every labelled slice of the site's segment manifests through the encoder, PCA of the
 * pooled features to 2-D, an MLP fitted to the per-slice Dice over that plane (libs/xai
 * latentDiceMap, seed 0), evaluated on a grid. A patient's slices (labelled or not) are projected
 * with the same PCA; their predicted Dice is the grid cell they fall in (clamped to the grid).
 */
import { fitPca, latentDiceMap, pcaTransform, type DiceMap, type PcaModel } from '@unbox/xai';
import type { LatentDice } from '@unbox/protocol';
import { UserError } from '../errors.js';
import type { SiteModel } from '../explain/site-model.js';
import type { SegmentTrainConfig } from '../training/config.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import { segmentImages, type SegmentedSlice } from './segmentation.js';

export interface SiteDiceMap {
  map: DiceMap;
  pca: PcaModel;
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
  return { map, pca: fitPca(features, 2), k, patients: samples.map((s) => patientOf(s.id)) };
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
  const proj = slices.length ? pcaTransform(d.pca, { data: Float64Array.from(slices.flatMap((s) => Array.from(s.features))), rows: slices.length, cols: d.k }) : new Float64Array(0);
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
