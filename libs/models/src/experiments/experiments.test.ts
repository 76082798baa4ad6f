import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend/select.js';
import { compareClassifiers } from './classify.js';
import { compareSegmenters } from './segment.js';
import { markdownTable } from './markdown.js';
import { lesionPatients, shapeImages } from '../testing/synthetic.js';
import { tinyClassifier, tinySegmenter } from '../testing/tiny.js';

beforeAll(async () => { await selectBackend('wasm'); });

describe('comparison runners', () => {
  it('classify: one patient row and one image row per mode, with finite metrics', async () => {
    const { rows, losses } = await compareClassifiers(lesionPatients(8, 1), lesionPatients(6, 2), tinyClassifier({ sectionLength: 4, k: 2 }), { steps: 2, seed: 1, patientsPerBatch: 2 }, ['image-level', 'sim+ncm']);
    expect(rows.map((r) => `${r.method}/${r.level}`)).toEqual(['image-level/patient', 'image-level/image', 'sim+ncm/patient', 'sim+ncm/image']);
    expect(rows.every((r) => r.auc >= 0 && r.auc <= 1)).toBe(true);
    expect(rows[0].n).toBe(6);
    expect(rows[1].n).toBe(48);
    expect(losses['sim+ncm']).toHaveLength(2);
  });

  it('segment: rows per decoder × loss × modality × thickness', async () => {
    const thin = shapeImages(4, 2, 32, 'thin').map(({ mask: _m, ...r }) => r);
    const test = [...shapeImages(2, 3), ...shapeImages(2, 4, 32, 'thin')];
    const { rows } = await compareSegmenters(shapeImages(4, 1), thin, test, tinySegmenter(), { steps: 2, seed: 1, batchSize: 2 }, [{ decoder: 'unet', loss: 'LS' }, { decoder: 'subpixel', loss: 'LS+LT' }]);
    expect(rows.map((r) => `${r.decoder}/${r.loss}/${r.modality}/${r.thickness}`)).toEqual([
      'unet/LS/CT/thick', 'unet/LS/CT/thin', 'unet/LS/CT/mixed', 'subpixel/LS+LT/CT/thick', 'subpixel/LS+LT/CT/thin', 'subpixel/LS+LT/CT/mixed']);
    expect(rows.every((r) => r.dice >= 0 && r.dice <= 1)).toBe(true);
  });

  it('markdown table', () => {
    expect(markdownTable([{ a: 'x', b: 0.123456, c: Number.NaN, d: 3 }], ['a', 'b', 'c', 'd'])).toBe('| a | b | c | d |\n|---|---|---|---|\n| x | 0.1235 | n/a | 3 |');
  });
});
