/**
 * `data inspect --raw` on real DICOM and NIfTI files (pydicom's / nibabel's test files, built by
 * @unbox/data's test-data script) against values decoded by independent tools (pydicom, GDCM,
 * DCMTK, nibabel). Checks the whole path: CLI -> reader -> HU -> dump order.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestData, loadReferenceIndex, readReference, type ReferenceIndex } from '@unbox/data';

const bin = join(dirname(fileURLToPath(import.meta.url)), '../bin/unbox-site.js');
let data: string;
let index: ReferenceIndex;
let out: string;

function inspect(path: string, raw: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, 'data', 'inspect', path, '--json', '--raw', raw], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  data = await ensureTestData();
  index = await loadReferenceIndex(data);
  out = await mkdtemp(join(tmpdir(), 'unbox-inspect-'));
}, 120_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

// CT with rescale to HU (explicit VR LE), a lossless-JPEG CT, a CT series folder, a NIfTI-2 .nii.gz.
const CASES = ['ct_small_explicit_le', 'jpeg_lossless_sv1_ct', 'series_ct5n', 'anat_nifti2_le_uint32_gz_scaled'];

describe('unbox-site data inspect on real files', () => {
  it('dumps the values independent decoders give, with the header facts', async () => {
    const results = await Promise.all(
      CASES.map(async (name) => {
        const c = index.cases.find((x) => x.name === name);
        if (!c) throw new Error(`reference case ${name} not in the test set`);
        const raw = join(out, `${name}.f32`);
        return { c, raw, r: await inspect(join(data, c.path), raw) };
      }),
    );
    for (const { c, raw, r } of results) {
      expect(r.code, `${c.name}: ${r.stderr}`).toBe(0);
      const j = JSON.parse(r.stdout);
      expect([j.slices, j.rows, j.columns, j.channels], c.name).toEqual(c.shape);
      if (c.modality !== undefined) expect(j.modality, c.name).toBe(c.modality);
      if (c.transferSyntax) expect(j.transferSyntax, c.name).toBe(c.transferSyntax);
      const ref = await readReference(c.name, data);
      const got = await readFile(raw);
      expect(got.length, c.name).toBe(ref.length * 4);
      let worst = 0;
      let sum = 0;
      for (let i = 0; i < ref.length; i++) {
        const v = got.readFloatLE(4 * i);
        worst = Math.max(worst, Math.abs(v - ref[i]));
        sum += ref[i];
      }
      expect(worst, `${c.name}: largest difference from the reference`).toBeLessThanOrEqual(c.tolerance);
      expect(j.values.mean, c.name).toBeCloseTo(sum / ref.length, 2);
      if (c.modality === 'CT') expect(j.unit).toBe('HU');
    }
  });
});
