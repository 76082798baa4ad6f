// NIfTI-1/-2 files (nibabel's test files plus variants written with nibabel's header classes)
// read by Unbox and compared with nibabel's get_fdata() and affine (src/testing/make_reference.py).
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTestData } from '../testing/inject.js';
import { loadReferenceIndex, readReference, type ReferenceCase } from '../testing/test-data.js';
import { readVolume } from '../read.js';
import { decodeNifti, parseNiftiHeader, qformAffine, type NiftiHeader } from './index.js';
import { DataError } from '../volume.js';
import { expectDataError } from '../testing/expect-data-error.js';

let dir = '';
let cases: ReferenceCase[] = [];
beforeAll(async () => {
  dir = requireTestData();
  cases = (await loadReferenceIndex(dir)).cases.filter((c) => c.kind === 'nifti');
});

describe('NIfTI reader against nibabel', () => {
  it('covers NIfTI-1 and -2, both byte orders, .nii and .nii.gz, scaling, qform-only and 4D', async () => {
    const heads = await Promise.all(cases.map(async (c) => {
      const v = await readVolume(join(dir, c.path));
      return { c, v };
    }));
    const src = heads.map((h) => h.v.source);
    expect(new Set(src.map((s) => s.niftiVersion))).toEqual(new Set([1, 2]));
    expect(new Set(src.map((s) => s.littleEndian))).toEqual(new Set([true, false]));
    expect(heads.some((h) => h.c.path.endsWith('.gz') && h.v.source.niftiVersion === 2)).toBe(true);
    expect(heads.some((h) => h.v.source.sformCode === 0 && (h.v.source.qformCode as number) > 0)).toBe(true);
    expect(heads.some((h) => Number(h.v.source.sclSlope) !== 1 && Number(h.v.source.sclSlope) !== 0 && Number.isFinite(h.v.source.sclSlope))).toBe(true);
    expect(new Set(src.map((s) => s.datatype))).toEqual(new Set(['int16', 'uint8', 'int8', 'uint16', 'int32', 'float32', 'float64', 'uint32', 'int64', 'rgb24']));
  });

  it('values, shape and affine match nibabel for every file', async () => {
    const failures: string[] = [];
    for (const c of cases) {
      const v = await readVolume(join(dir, c.path));
      const ref = await readReference(c.name, dir);
      const shape = [v.slices, v.rows, v.columns, v.channels];
      if (shape.join() !== c.shape.join()) {
        failures.push(`${c.name}: shape ${shape} != ${c.shape}`);
        continue;
      }
      let d = 0;
      for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(v.data[i] - ref[i]));
      if (d !== 0) failures.push(`${c.name}: max |diff| ${d}`);
      const ad = Math.max(...c.affine!.map((a, i) => Math.abs(a - v.affine![i])));
      // nibabel computes the qform rotation in float64 from float32 quaternions, as we do
      if (!(ad < 1e-4)) failures.push(`${c.name}: affine differs by ${ad}`);
      expect(v.spacing).toEqual([c.pixdim![1], c.pixdim![0], c.pixdim![2]].map((x) => expect.closeTo(x, 5)));
    }
    expect(failures).toEqual([]);
  });
});

describe('bad NIfTI input', () => {
  const bad = expectDataError;

  it('truncated image data', async () => {
    const b = await readFile(join(dir, 'nifti/anatomical.nii'));
    await bad('cut.nii', b.subarray(0, b.length - 100), /truncated: .* needed for 33x41x25 int16/);
  });

  it('truncated gzip stream', async () => {
    const b = await readFile(join(dir, 'nifti/example4d.nii.gz'));
    await bad('cut.nii.gz', b.subarray(0, b.length >> 1), /gzip stream is corrupt or truncated/);
  });

  it('unsupported datatype and wrong magic', async () => {
    const b = new Uint8Array(await readFile(join(dir, 'nifti/anat_le_uint8.nii')));
    const h = parseNiftiHeader(b);
    expect(h.littleEndian).toBe(true);
    const complex = b.slice();
    new DataView(complex.buffer).setInt16(70, 32, true); // complex64
    expect(() => decodeNifti(complex, 'c.nii')).toThrow(/datatype 32 is not supported/);
    const pair = b.slice();
    pair[345] = 0x69; // "ni1": header of a .hdr/.img pair
    await bad('pair.nii.gz', gzipSync(pair), /magic is "ni1"/);
  });
});

describe('format detection', () => {
  it('finds a gzipped NIfTI by its content, whatever its name', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'unbox-nii-'));
    try {
      const p = join(tmp, 'scan.bin');
      await writeFile(p, await readFile(join(dir, 'nifti/example4d.nii.gz')));
      const v = await readVolume(p);
      expect([v.slices, v.rows, v.columns, v.channels]).toEqual([24, 96, 128, 2]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});

describe('qform (NIfTI-1 header comments, method 2)', () => {
  it('90 degrees about z, qfac -1, offsets: worked by hand', () => {
    // b = c = 0, d = sin(45 deg): a = cos(45 deg); R = [[0,-1,0],[1,0,0],[0,0,1]]; z column flipped by qfac
    const h = { quatern: [0, 0, Math.SQRT1_2], qoffset: [1, 2, 3], pixdim: [-1, 2, 3, 4] } as unknown as NiftiHeader;
    const a = qformAffine(h);
    const want = [0, -3, 0, 1, 2, 0, 0, 2, 0, 0, -4, 3, 0, 0, 0, 1];
    a.forEach((x, i) => expect(x).toBeCloseTo(want[i], 12));
  });
});

describe('corrupt NIfTI never escapes as anything but DataError', () => {
  it('random truncations and header byte flips', async () => {
    let a = 7;
    const rand = () => ((a = (a * 1103515245 + 12345) >>> 0) / 4294967296);
    for (const f of ['nifti/anatomical.nii', 'nifti/anat_nifti2_be_int16.nii', 'nifti/standard.nii.gz']) {
      const orig = new Uint8Array(await readFile(join(dir, f)));
      for (let k = 0; k < 30; k++) {
        const b = k % 2 ? orig.slice(0, Math.floor(rand() * orig.length)) : orig.slice();
        if (k % 2 === 0) for (let j = 0; j < 4; j++) b[Math.floor(rand() * Math.min(b.length, 548))] ^= 0xff;
        try {
          decodeNifti(b, f);
        } catch (e) {
          expect(e, `${f} #${k}: ${(e as Error).message}`).toBeInstanceOf(DataError);
        }
      }
    }
  });
});
