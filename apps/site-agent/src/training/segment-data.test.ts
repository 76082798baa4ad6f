/**
 * Segment slices from real NIfTI files: per-scan augmentation (augmentSeed) flips a scan's label
 * map together with its pixels and exchanges the left/right lateral ventricle labels (regression:
 * they were mirrored without the swap), and augmentSeed null gives the cached unaugmented slices
 * that `unbox-site train` augments per batch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNifti } from '@unbox/data';
import { flipLabelMap, PAPER_SEG_AUGMENT } from '@unbox/models';
import type { ManifestRow } from './manifests.js';
import { loadSegmentImages } from './segment-data.js';

let dir: string;
let rows: ManifestRow[];
const C = 8, R = 8, S = 2;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-segdata-'));
  const img = new Int16Array(C * R * S);
  const lab = new Uint8Array(C * R * S);
  for (let k = 0; k < S; k++) for (let j = 0; j < R; j++) for (let i = 0; i < C; i++) {
    const v = k * C * R + j * C + i;
    img[v] = 10 * i + j + 100 * k; // asymmetric, so a flip is visible in the pixels
    if (j >= 2 && j < 6 && (i === 5 || i === 6)) lab[v] = 1;
    if (j >= 2 && j < 6 && (i === 1 || i === 2)) lab[v] = 2;
    if (j === 6 && i === 4) lab[v] = 3;
  }
  const affine = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1];
  await writeNifti(join(dir, 'img.nii.gz'), { data: img, dims: [C, R, S], affine });
  await writeNifti(join(dir, 'lab.nii.gz'), { data: lab, dims: [C, R, S], affine });
  rows = Array.from({ length: 8 }, (_, n) => ({
    centre: 'A', manifest: join(dir, 'site.json'), row: n,
    entry: { patient: `P${n}`, task: 'segment', modality: 'CT', slice_thickness: 5, split: 'train', paths: [join(dir, 'img.nii.gz')], mask: join(dir, 'lab.nii.gz') },
  }) as ManifestRow);
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('loadSegmentImages', () => {
  it('per-scan flips exchange the left and right lateral ventricle labels; null seed leaves slices unaugmented', async () => {
    const plain = await loadSegmentImages(rows, { size: 8, channels: 1, augmentSeed: null });
    const aug = await loadSegmentImages(rows, { size: 8, channels: 1, augmentSeed: 3 });
    expect(plain.skipped).toEqual([]);
    expect(plain.labelled).toHaveLength(8 * S);
    // unaugmented: every patient's slices are identical (same files)
    expect([...plain.labelled[2].data]).toEqual([...plain.labelled[0].data]);
    let flipped = 0;
    aug.labelled.forEach((im, n) => {
      const base = plain.labelled[n].mask!;
      const mirrored = flipLabelMap(base, 8, PAPER_SEG_AUGMENT.mirrorPairs);
      const same = [...im.mask!].join() === [...base].join();
      if (!same) {
        flipped++;
        expect([...im.mask!]).toEqual([...mirrored]);
      }
    });
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(8 * S);
    // the mirrored map still has label 1 where the pixels of the flipped "left" side are
    const m = aug.labelled.find((im, n) => [...im.mask!].join() !== [...plain.labelled[n].mask!].join())!.mask!;
    const base = plain.labelled[0].mask!;
    const cols = (mask: ArrayLike<number>, label: number) => [...new Set(Array.from(mask).flatMap((v, i) => (v === label ? [i % 8] : [])))].sort();
    expect(cols(m, 1)).toEqual(cols(base, 2).map((c) => 7 - c).sort());
    expect(cols(m, 2)).toEqual(cols(base, 1).map((c) => 7 - c).sort());
    expect(cols(base, 1)).not.toEqual(cols(base, 2));
  });
});
