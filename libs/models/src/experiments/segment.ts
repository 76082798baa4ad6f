/**
 * Tables 4 and 5 on in-memory data: decoders (plain U-Net bilinear vs sub-pixel) × losses
 * (LS / LT / LS+LT), Dice on thick, thin and mixed test slices per modality.
 */
import type { SegLoss, SegmenterConfigInput } from '../segmenter/config.js';
import { trainSegmenter, type SegTrainOptions } from '../train/train-segmenter.js';
import { diceRecords, summariseSegmenter } from '../train/evaluate-segmenter.js';
import type { SegImage } from '../train/datasets.js';

export interface SegmentRow {
  decoder: 'unet' | 'subpixel';
  loss: SegLoss;
  modality: string;
  thickness: 'thick' | 'thin' | 'mixed';
  n: number;
  dice: number;
  per_class: number[];
  train_s: number;
}

export interface SegmentRun {
  decoder: 'unet' | 'subpixel';
  loss: SegLoss;
}

/** Table 4 (both decoders with LS+LT) and Table 5 (sub-pixel with LS, LT, LS+LT). */
export const TABLE4_5_RUNS: SegmentRun[] = [
  { decoder: 'unet', loss: 'LS+LT' },
  { decoder: 'subpixel', loss: 'LS' },
  { decoder: 'subpixel', loss: 'LT' },
  { decoder: 'subpixel', loss: 'LS+LT' },
];

export async function compareSegmenters(thick: SegImage[], thin: SegImage[], test: SegImage[], config: SegmenterConfigInput, opts: SegTrainOptions, runs = TABLE4_5_RUNS,
  onRun?: (run: SegmentRun, rows: SegmentRow[]) => void): Promise<{ rows: SegmentRow[]; losses: Record<string, number[]> }> {
  const rows: SegmentRow[] = [];
  const losses: Record<string, number[]> = {};
  for (const run of runs) {
    const t0 = performance.now();
    const trained = await trainSegmenter(thick, thin, { ...config, decoder: run.decoder, loss: run.loss }, opts);
    const trainS = +((performance.now() - t0) / 1000).toFixed(1);
    const ev = summariseSegmenter(diceRecords(trained.model, trained.config, test));
    trained.model.dispose();
    losses[`${run.decoder}/${run.loss}`] = trained.losses;
    const mine: SegmentRow[] = [];
    for (const [modality, byThickness] of Object.entries(ev.dice)) {
      for (const thickness of ['thick', 'thin', 'mixed'] as const) {
        const s = byThickness[thickness];
        if (s) mine.push({ decoder: run.decoder, loss: run.loss, modality, thickness, n: s.n, dice: s.mean, per_class: s.per_class, train_s: trainS });
      }
    }
    rows.push(...mine);
    onRun?.(run, mine);
  }
  return { rows, losses };
}
