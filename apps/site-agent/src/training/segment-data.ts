/**
 * Head CT/MR rows → 2-D slices for the segmenter (paper 3.3.2): scans with a manifest mask give
 * labelled slices (the thick ones at a real site), scans without one give unlabelled slices for the
 * L_T term. Each slice goes through the paper's segmentation pipeline (4.2.2: clip 1/99 %, z-score,
 * bicubic resize, nearest for masks). `unbox-site train` loads them unaugmented (augmentSeed null)
 * and trainSegmenter draws flip/brightness per batch from its step generator; a non-null
 * augmentSeed gives one seeded draw per scan (the federated trainer's per-round data). A flipped
 * scan's left/right lateral ventricle labels (1 ↔ 2) are exchanged with the pixels.
 * Thickness for Dice: < 3 mm thin, else thick (the manifest's thin ≤ 1.5 mm, thick ≥ 5 mm).
 */
import { createRng, preprocessSegmentSlice, readVolume, sampleSegmentAugmentation, sliceImage, sliceMask, type Rng, type Volume } from '@unbox/data';
import { PAPER_SEG_AUGMENT, swapMirrorLabels, type SegImage } from '@unbox/models';
import { toChannels } from './channels.js';
import type { ManifestRow, SkippedRow } from './manifests.js';

export interface SegmentLoadOptions {
  size: number;
  channels: number;
  /** null: no augmentation (evaluation, and training with per-batch augmentation); else one seeded draw per scan */
  augmentSeed: number | null;
  /** evaluation label maps of scans the manifest leaves unlabelled (thin-slice Dice), centre → patient → path */
  truthMasks?: Map<string, Map<string, string>>;
  onScan?: (done: number, total: number) => void;
}

export interface LoadedSegImages {
  /** slices with a manifest mask (training: L_S) */
  labelled: SegImage[];
  /** slices without a manifest mask (training: L_T); no mask attached even when ground truth exists */
  unlabelled: SegImage[];
  /** every slice with any label map (manifest or ground truth), for Dice */
  evaluation: SegImage[];
  /** slices with no label map at all (not scored by Dice) */
  unscored: number;
  skipped: SkippedRow[];
}

export const thicknessOf = (mm: number): 'thin' | 'thick' => (mm < 3 ? 'thin' : 'thick');

function slicesOf(v: Volume, m: Volume | null, row: ManifestRow, scan: number, aug: ReturnType<typeof sampleSegmentAugmentation> | null, opts: SegmentLoadOptions): SegImage[] {
  if (v.channels !== 1) throw new Error(`${v.source.files[0] ?? 'image'}: ${v.channels}-channel image; the segmenter reads single-channel CT/MR`);
  if (m && (m.slices !== v.slices || m.rows !== v.rows || m.columns !== v.columns)) {
    throw new Error(`mask ${m.slices}x${m.rows}x${m.columns} is not on the image grid ${v.slices}x${v.rows}x${v.columns}`);
  }
  const { entry, centre } = row;
  const out: SegImage[] = [];
  for (let s = 0; s < v.slices; s++) {
    const { image, mask } = preprocessSegmentSlice(sliceImage(v, s), m ? sliceMask(m, s) : null, aug, { size: opts.size });
    // the preprocessing mirrors the pixels only: the patient's left ventricle is now the right one
    if (mask && aug?.flip) swapMirrorLabels(mask.data, PAPER_SEG_AUGMENT.mirrorPairs);
    out.push({
      id: `${entry.patient}#${scan}:${s}`, centre, modality: entry.modality === 'MR' ? 'MRI' : entry.modality, thickness: thicknessOf(entry.slice_thickness),
      data: toChannels(image.data, opts.channels), size: opts.size, channels: opts.channels, ...(mask ? { mask: mask.data } : {}),
    });
  }
  return out;
}

export async function loadSegmentImages(rows: ManifestRow[], opts: SegmentLoadOptions): Promise<LoadedSegImages> {
  const out: LoadedSegImages = { labelled: [], unlabelled: [], evaluation: [], unscored: 0, skipped: [] };
  const rng: Rng | null = opts.augmentSeed === null ? null : createRng(opts.augmentSeed);
  let done = 0;
  for (const row of rows) {
    const prng = rng?.fork() ?? null; // one fork per row, drawn even for a skipped row
    const { entry, centre } = row;
    const truthMask = entry.mask ? undefined : opts.truthMasks?.get(centre)?.get(entry.patient);
    try {
      for (const [k, path] of entry.paths.entries()) {
        const v = await readVolume(path);
        const aug = prng ? sampleSegmentAugmentation(prng) : null;
        if (entry.mask) {
          const imgs = slicesOf(v, await readVolume(entry.mask), row, k, aug, opts);
          out.labelled.push(...imgs);
          out.evaluation.push(...imgs);
        } else {
          out.unlabelled.push(...slicesOf(v, null, row, k, aug, opts));
          // the truth map sits on the first scan's grid; evaluation copies are never augmented
          if (truthMask && k === 0 && !prng) out.evaluation.push(...slicesOf(v, await readVolume(truthMask), row, k, null, opts));
          else out.unscored += v.slices;
        }
      }
    } catch (e) {
      out.skipped.push({ manifest: row.manifest, row: row.row, patient: entry.patient, reason: (e as Error).message });
    }
    opts.onScan?.(++done, rows.length);
  }
  return out;
}
