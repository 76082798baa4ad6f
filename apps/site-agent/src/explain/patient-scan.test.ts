/**
 * A lung-cropped classifier's patient view (paper 4.1.2): the image through the same square lung
 * box as training, and the lesion masks cut to that box too, so quality figures (pointing game,
 * lesion ranks) compare the explanation with the lesions where the model saw them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { cropMask, preprocessClassifyVolume, readVolume, resizeNearestMask, sliceMask } from '@unbox/data';
import { squareLungRoi } from '../training/classify-views.js';
import { loadClassifyScan, loadLesionIndex, patientRows } from './patient-scan.js';
import { explainFixture, type ExplainFixture } from './testing-fixture.js';

describe('loadClassifyScan with the lung crop', () => {
  let fx: ExplainFixture;
  beforeAll(async () => {
    fx = await explainFixture();
  }, 60_000);
  afterAll(async () => {
    if (fx) await rm(fx.dir, { recursive: true, force: true });
  });

  it('cuts image and lesion mask to the same square lung box; without it, the whole slice', async () => {
    const lesions = await loadLesionIndex([fx.groundTruth]);
    const rows = await patientRows([fx.manifest], 'classify');
    const centre = [...lesions.keys()][0];
    // an NCP patient: its lesion mask has foreground
    let checked = 0;
    for (const [id, group] of rows) {
      const maskPath = lesions.get(centre)?.get(id);
      if (!maskPath || group.length !== 1 || group[0].entry.paths.length !== 1) continue;
      const v = await readVolume(group[0].entry.paths[0]);
      const m = await readVolume(maskPath);
      if (!m.data.some((x) => x > 0)) continue;
      const roi = squareLungRoi(v);
      expect(roi.height).toBeLessThan(v.rows); // the crop does something on this phantom
      const scan = await loadClassifyScan(group, { size: 32, lungCrop: true }, lesions);
      expect(scan.rois).toEqual([roi]);
      expect(scan.grey).toEqual(preprocessClassifyVolume(v, null, { size: 32, roi }));
      const want = new Uint8Array(v.slices * 32 * 32);
      for (let s = 0; s < v.slices; s++) want.set(resizeNearestMask(cropMask(sliceMask(m, s), roi), 32, 32).data.map((x) => (x ? 1 : 0)), s * 32 * 32);
      expect(scan.lesions).toEqual(want);
      const whole = await loadClassifyScan(group, { size: 32 }, lesions);
      expect(whole.rois).toBeUndefined();
      expect(whole.grey).toEqual(preprocessClassifyVolume(v, null, { size: 32 }));
      // zoomed onto the lungs, a lesion covers more of the model's view
      const sum = (a: Uint8Array | undefined) => (a ? Array.from(a) : []).reduce((x, y) => x + y, 0);
      expect(sum(scan.lesions)).toBeGreaterThan(sum(whole.lesions));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
