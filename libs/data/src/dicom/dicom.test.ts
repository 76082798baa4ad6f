// Real DICOM files (pydicom's test set plus DCMTK/GDCM-made encodings) decoded by Unbox and
// compared with DCMTK, GDCM and pydicom (see src/testing/make_reference.py).
import { readFile, writeFile, mkdtemp, cp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTestData } from '../testing/inject.js';
import { loadReferenceIndex, readReference, type ReferenceCase } from '../testing/test-data.js';
import { readVolume } from '../read.js';
import { readDicomBytes, readDicomFile, readDicomSeries } from './index.js';
import { DataError } from '../volume.js';
import { expectDataError } from '../testing/expect-data-error.js';

let dir = '';
let cases: ReferenceCase[] = [];
beforeAll(async () => {
  dir = requireTestData();
  cases = (await loadReferenceIndex(dir)).cases.filter((c) => c.kind !== 'nifti');
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Every transfer syntax the issue lists must have at least one real file here. */
const REQUIRED_SYNTAXES: Record<string, string> = {
  '1.2.840.10008.1.2': 'implicit VR LE',
  '1.2.840.10008.1.2.1': 'explicit VR LE',
  '1.2.840.10008.1.2.2': 'explicit VR BE',
  '1.2.840.10008.1.2.1.99': 'deflated explicit VR LE',
  '1.2.840.10008.1.2.5': 'RLE lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG baseline',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless process 14',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 lossy',
  '1.2.840.10008.1.2.4.201': 'HTJ2K lossless',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

describe('DICOM reader against independent decoders', () => {
  it('has a real file for every required transfer syntax', () => {
    const have = new Set(cases.map((c) => c.transferSyntax));
    const missing = Object.entries(REQUIRED_SYNTAXES).filter(([uid]) => !have.has(uid));
    expect(missing).toEqual([]);
    expect(cases.filter((c) => c.kind === 'dicom-file').length).toBeGreaterThanOrEqual(44);
  });

  it('decodes every file to the reference values (exact, lossy JPEG and JPEG 2000 included; lossy HTJ2K within 1 of OpenJPH)', async () => {
    const failures: string[] = [];
    for (const c of cases.filter((k) => k.kind === 'dicom-file')) {
      const v = await readVolume(join(dir, c.path));
      const ref = await readReference(c.name, dir);
      const [frames, rows, cols, ch] = c.shape;
      const shape = [v.slices, v.rows, v.columns, v.channels];
      if (shape.join() !== c.shape.join()) {
        failures.push(`${c.name}: shape ${shape} != ${c.shape}`);
        continue;
      }
      expect(v.data.length).toBe(frames * rows * cols * ch);
      const d = maxAbsDiff(v.data, ref);
      if (!(d <= c.tolerance)) failures.push(`${c.name} (${c.tool}): max |diff| ${d} > ${c.tolerance}`);
      expect(v.source.transferSyntax).toBe(c.transferSyntax);
      expect(v.modality).toBe(c.modality ?? null);
      if (c.spacing) expect(v.spacing, c.name).toEqual(c.spacing);
      expect(v.source.decodedPhotometric, c.name).toBe(ch === 3 ? 'RGB' : c.photometric);
      if (c.sliceThickness !== undefined) expect(v.sliceThickness, c.name).toBe(c.sliceThickness);
    }
    expect(failures).toEqual([]);
  });

  it('applies rescale slope/intercept: CT_small in HU, CR in scaled units', async () => {
    const ct = await readDicomFile(join(dir, 'dicom/CT_small.dcm'));
    expect(ct.source.rescaleIntercept).toBe(-1024);
    expect(ct.modality).toBe('CT');
    // stored value 128 at (0,0) per pydicom's own tests; HU = 128 * 1 - 1024
    const raw = await readFile(join(dir, 'dicom/CT_small.dcm'));
    const d = await readDicomBytes(raw, 'CT_small.dcm');
    expect(d.frames[0][0]).toBe(ct.data[0]);
    expect(ct.spacing[0]).toBeCloseTo(0.661468, 5);
    expect(ct.sliceThickness).toBe(5);
    expect(ct.affine).not.toBeNull();
  });

  it('enhanced multi-frame: frames ordered by per-frame position, affine from the lowest frame', async () => {
    const v = await readVolume(join(dir, 'generated/enhanced_ct_functional_groups.dcm'));
    expect(v.source.orderedBy).toBe('ImagePositionPatient');
    // column step 0.6 mm along x, row step 0.5 mm along y, slice step 5 mm along z, origin at z = 15
    expect(v.affine).toEqual([0.6, 0, 0, -10, 0, 0.5, 0, -20, 0, 0, 5, 15, 0, 0, 0, 1]);
  });

  it('stored values on request: a CT file and a CT series before rescale', async () => {
    const hu = await readReference('ct_small_explicit_le', dir);
    const v = await readVolume(join(dir, 'dicom/CT_small.dcm'), { dicomValues: 'stored' });
    expect(v.source.values).toBe('stored');
    expect(Array.from(v.data)).toEqual(Array.from(hu, (x) => x + 1024));
    const series = await readVolume(join(dir, 'series/series_ct2'), { dicomValues: 'stored' });
    const seriesHu = await readReference('series_ct2', dir);
    expect(Array.from(series.data)).toEqual(Array.from(seriesHu, (x) => x + 1024));
  });

  it('keeps MONOCHROME1 values and reports the photometric interpretation', async () => {
    const v = await readVolume(join(dir, 'dicom/6154'));
    expect(v.source.photometric).toBe('MONOCHROME1');
  });

  it('palette colour becomes three channels', async () => {
    const c = cases.find((k) => k.name === 'palette_colour')!;
    const v = await readVolume(join(dir, c.path));
    expect(v.channels).toBe(3);
    expect(v.source.photometric).toBe('PALETTE COLOR');
    expect(v.source.decodedPhotometric).toBe('RGB');
  });

  it('header signedness wins over the JPEG 2000 codestream', async () => {
    const v = await readVolume(join(dir, 'dicom/J2K_pixelrep_mismatch.dcm'));
    let min = Infinity;
    for (const x of v.data) min = Math.min(min, x);
    expect(min).toBe(-2000); // the same codestream read as unsigned has no negative values
  });
});

describe('DICOM series folders', () => {
  it('orders slices by position, takes spacing from positions, matches pydicom', async () => {
    for (const c of cases.filter((k) => k.kind === 'dicom-series')) {
      const v = await readVolume(join(dir, c.path));
      expect([v.slices, v.rows, v.columns, v.channels]).toEqual(c.shape);
      expect(maxAbsDiff(v.data, await readReference(c.name, dir))).toBe(0);
      expect(v.spacing[0]).toBeCloseTo(c.spacing![0], 6);
      expect(v.spacing[1]).toBeCloseTo(c.spacing![1], 6);
      expect(v.spacing[2]).toBeCloseTo(c.spacing![2], 4);
      expect(v.sliceThickness).toBe(c.sliceThickness);
      expect(v.source.files.map((f) => f.slice(dir.length + 1))).toEqual(c.files);
      expect(v.source.orderedBy).toBe(c.orderedBy);
      if (c.orderedBy === 'InstanceNumber') expect(v.affine).toBeNull();
    }
    expect(new Set(cases.filter((k) => k.kind === 'dicom-series').map((k) => k.orderedBy))).toEqual(new Set(['ImagePositionPatient', 'InstanceNumber']));
  });

  it('ignores non-DICOM files beside the slices', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-series-'));
    try {
      await cp(join(dir, 'series/series_ct5n'), tmp, { recursive: true });
      await writeFile(join(tmp, 'README.txt'), 'exported by PACS');
      const v = await readDicomSeries(tmp);
      expect(v.slices).toBe(5);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('a truncated slice fails the series with a DataError naming that slice', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-series-'));
    try {
      await cp(join(dir, 'series/series_ct5n'), tmp, { recursive: true });
      const victim = join(tmp, '2693');
      const b = await readFile(victim);
      await writeFile(victim, b.subarray(0, b.length - 100));
      const err = await readVolume(tmp).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).file).toBe(victim);
      expect((err as Error).message).toMatch(/truncated|overrun/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('refuses two slices at one position (echoes or repeats), naming both files', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-series-'));
    try {
      await cp(join(dir, 'series/series_ct5n'), tmp, { recursive: true });
      await cp(join(tmp, '2693'), join(tmp, '2693-repeat'));
      await expect(readDicomSeries(tmp)).rejects.toThrow(/2693 and .*2693-repeat share one ImagePositionPatient/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('refuses a folder mixing two series, naming the folder', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-series-'));
    try {
      await cp(join(dir, 'series/series_ct2'), tmp, { recursive: true });
      await cp(join(dir, 'series/series_mr700'), tmp, { recursive: true });
      await expect(readDicomSeries(tmp)).rejects.toThrow(/mixes 2 series/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('bad DICOM input gives a DataError naming the file and the reason', () => {
  const bad = expectDataError;

  it('truncated native pixel data', async () => {
    const b = await readFile(join(dir, 'dicom/CT_small.dcm'));
    await bad('ct_cut.dcm', b.subarray(0, b.length - 5000), /truncated|overrun|buffer/i);
  });

  it('truncated inside the header', async () => {
    const b = await readFile(join(dir, 'dicom/CT_small.dcm'));
    await bad('ct_head.dcm', b.subarray(0, 400), /not a readable DICOM|missing|overrun|no Pixel Data/i);
  });

  it('truncated compressed file', async () => {
    const b = await readFile(join(dir, 'dicom/MR_small_jp2klossless.dcm'));
    await bad('j2k_cut.dcm', b.subarray(0, b.length - 2000), /DICOM|decod|fragment/i);
  });

  it('corrupt RLE segment table', async () => {
    const b = new Uint8Array(await readFile(join(dir, 'dicom/MR_small_RLE.dcm')));
    const i = b.length - 1; // search the RLE header: segment count 2 (16-bit grey) as little-endian uint32 then offset 64
    let h = -1;
    for (let k = 0; k < i - 8; k++) if (b[k] === 2 && b[k + 1] === 0 && b[k + 2] === 0 && b[k + 3] === 0 && b[k + 4] === 64 && b[k + 5] === 0) h = k;
    expect(h).toBeGreaterThan(0);
    b[h] = 5;
    await bad('rle_bad.dcm', b, /RLE header has 5 segments/);
  });

  it('unsupported transfer syntax is named', async () => {
    const b = new Uint8Array(await readFile(join(dir, 'dicom/CT_small.dcm')));
    const s = Buffer.from(b).indexOf('1.2.840.10008.1.2.1\0');
    expect(s).toBeGreaterThan(0);
    b.set(Buffer.from('1.2.840.10008.1.2.99'), s);
    await bad('ts.dcm', b, /unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.99/);
  });

  it("pydicom's broken files: truncated, corrupt, 12-bit lossy JPEG, no pixel data", async () => {
    const base = join(dir, 'broken');
    for (const [f, reason] of [
      ['MR_truncated.dcm', /overrun|truncated/],
      ['SC_rgb_jpeg.dcm', /not a readable DICOM/],
      ['JPGExtended.dcm', /12-bit lossy JPEG/],
      ['rtplan.dcm', /no Pixel Data/],
    ] as const) {
      const err = await readDicomFile(join(base, f)).catch((e: unknown) => e);
      expect(err, f).toBeInstanceOf(DataError);
      expect((err as Error).message).toMatch(reason);
      expect((err as Error).message).toContain(f);
    }
  });

  it('broken links in a series folder are skipped', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-series-'));
    try {
      await cp(join(dir, 'series/series_ct2'), tmp, { recursive: true });
      await symlink(join(tmp, 'gone'), join(tmp, 'dangling'));
      expect((await readVolume(tmp)).slices).toBe(4);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('missing file and non-image file', async () => {
    await expect(readVolume(join(dir, 'nope.dcm'))).rejects.toThrow(/nope\.dcm: cannot access/);
    await bad('notes.txt', new TextEncoder().encode('hello, not an image'), /unrecognised format/);
  });
});
