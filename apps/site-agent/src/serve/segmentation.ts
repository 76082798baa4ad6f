/**
 * The segmenter's view of a patient for the dashboard: per slice (the API's slice order: scans with
 * a label map first, as loadSegmentImages gives them) the argmax class map and the encoder's pooled
 * deepest features, computed once per patient and kept for a few patients; the class map drawn as
 * an RGBA overlay (transparent background, one colour per ventricle, legend in GET /site).
 */
import { PNG } from 'pngjs';
import type { SegmentationLegendEntry } from '@unbox/protocol';
import { UserError } from '../errors.js';
import type { SiteModel } from '../explain/site-model.js';
import { classColour, segmentImages, VENTRICLES, type SegmentedSlice } from '../explain/segment-forward.js';

export { segmentImages, type SegmentedSlice };
import type { SegmentTrainConfig } from '../training/config.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';

export const OVERLAY_ALPHA = 160;

export function segmentationLegend(numClasses: number): SegmentationLegendEntry[] {
  return Array.from({ length: numClasses - 1 }, (_, k) => ({
    class: k + 1,
    name: VENTRICLES[k] ?? `class ${k + 1}`,
    rgba: [...classColour(k + 1), OVERLAY_ALPHA] as [number, number, number, number],
  }));
}

/** The patient's slices in API order, segmented (evaluation preprocessing, no augmentation). */
export async function segmentPatient(site: SiteModel, rows: ManifestRow[]): Promise<SegmentedSlice[]> {
  const { inputSize: size, inputChannels: channels } = (site.config as SegmentTrainConfig).model.encoder;
  const imgs = await loadSegmentImages(rows, { size, channels, augmentSeed: null });
  if (imgs.skipped.length) throw new UserError(imgs.skipped.map((s) => s.reason).join('; '));
  return segmentImages(site, [...imgs.labelled, ...imgs.unlabelled]);
}

/** RGBA PNG of a class map: background transparent, class c in legend colour c. */
export function overlayPng(classes: Uint8Array, size: number, legend: SegmentationLegendEntry[]): Uint8Array {
  const png = new PNG({ width: size, height: size });
  const data = Buffer.alloc(size * size * 4);
  for (let q = 0; q < classes.length; q++) {
    const c = classes[q];
    if (!c) continue;
    const rgba = legend[c - 1]?.rgba ?? [255, 255, 255, OVERLAY_ALPHA];
    data.set(rgba, 4 * q);
  }
  png.data = data;
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}
