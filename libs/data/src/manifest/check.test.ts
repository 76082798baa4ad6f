import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../read.js';
import { checkManifest } from './check.js';
import { tinyNifti } from './nifti-fixture.test-util.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-manifest-'));
  await mkdir(join(dir, 'img'));
  await writeFile(join(dir, 'img/p1.nii'), tinyNifti(6, 4, 3, (i) => i));
  await writeFile(join(dir, 'img/p2.nii'), tinyNifti(6, 4, 3, (i) => -i));
  await writeFile(join(dir, 'img/wide.nii'), tinyNifti(8, 4, 3, () => 0));
  await writeFile(join(dir, 'img/m1.nii'), tinyNifti(6, 4, 3, (i) => i % 5, 'uint8'));
  await writeFile(join(dir, 'img/m-badlabel.nii'), tinyNifti(6, 4, 3, (i) => (i === 7 ? 9 : 0), 'uint8'));
  await writeFile(join(dir, 'img/m-small.nii'), tinyNifti(6, 4, 2, () => 0, 'uint8'));
  await writeFile(join(dir, 'img/truncated.nii'), tinyNifti(6, 4, 3, (i) => i).subarray(0, 400));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const row = (o: Record<string, unknown>): Record<string, unknown> => ({
  task: 'classify', modality: 'CT', slice_thickness: 2, split: 'train', dims: [4, 6], ...o,
});

describe('checkManifest on real NIfTI files', () => {
  it('sorts entries into good and bad, each bad one with row, patient, kind and reason', async () => {
    const entries = [
      row({ patient: 'P1', label: 'NCP', paths: ['img/p1.nii'] }),
      row({ patient: 'P2', label: 'Normal', paths: ['img/p2.nii', 'img/p1.nii'] }),
      row({ patient: 'P3', label: 'Flu', paths: ['img/p1.nii'] }),
      row({ patient: 'P4', paths: ['img/nope.nii'] }),
      row({ patient: 'P5', paths: ['img/truncated.nii'] }),
      row({ patient: 'P6', paths: ['img/wide.nii'] }),
      row({ patient: 'P7', task: 'segment', modality: 'MR', paths: ['img/p1.nii'], mask: 'img/m1.nii' }),
      row({ patient: 'P8', task: 'segment', modality: 'MR', paths: ['img/p1.nii'], mask: 'img/m-badlabel.nii' }),
      row({ patient: 'P9', task: 'segment', modality: 'MR', paths: ['img/p1.nii'], mask: 'img/m-small.nii' }),
      row({ patient: 'P1', split: 'test', paths: ['img/p2.nii'] }),
      row({ patient: 'P10', slice_thickness: 0, paths: ['img/p1.nii'] }),
      'not an object',
      row({ patient: 'P4', split: 'val', paths: ['img/p1.nii'] }),
    ];
    const manifest = join(dir, 'site.json');
    await writeFile(manifest, JSON.stringify({ version: 1, centre: 'A', entries }));
    const seen: number[] = [];
    const res = await checkManifest(manifest, { read: readVolume, concurrency: 3, onRow: (r) => seen.push(r.row) });
    expect(res.manifest).toMatchObject({ format: 'json', centre: 'A' });
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(res.good.map((g) => g.entry.patient)).toEqual(['P1', 'P2', 'P7']);
    expect(res.good[0].scans[0]).toMatchObject({ format: 'nifti', slices: 3, rows: 4, columns: 6, channels: 1, spacing: [1, 1, 2] });
    expect(res.good[0].entry.paths[0]).toBe(join(dir, 'img/p1.nii'));
    expect(res.good[1].scans).toHaveLength(2);
    expect(res.good[2].mask).toMatchObject({ slices: 3, rows: 4, columns: 6 });
    const bad = res.bad.map((b) => [b.row, b.patient, b.kind]);
    expect(bad).toEqual([
      [3, 'P3', 'unknown-label'],
      [4, 'P4', 'missing-file'],
      [5, 'P5', 'unreadable-file'],
      [6, 'P6', 'wrong-dimensions'],
      [8, 'P8', 'unknown-label'],
      [9, 'P9', 'mask-mismatch'],
      [10, 'P1', 'split-conflict'],
      [11, 'P10', 'bad-field'],
      [12, null, 'bad-field'],
      [13, 'P4', 'split-conflict'],
    ]);
    const reason = (r: number): string => res.bad.find((b) => b.row === r)!.reason;
    expect(reason(4)).toBe(`${join(dir, 'img/nope.nii')}: no such file or folder`);
    expect(reason(5)).toMatch(/truncated\.nii: .*truncated/);
    expect(reason(6)).toContain('image is 4x8 (rows x columns), the manifest says 4x6');
    expect(reason(8)).toContain('holds the value 9; labels are integers 0..4');
    expect(reason(9)).toContain('is 2x4x6 (slices x rows x columns), the image is 3x4x6');
    expect(reason(10)).toContain('is in split "test" here but in "train" at row 1');
    // P4's first row has a missing file, yet it still fixes P4's split.
    expect(reason(13)).toContain('is in split "val" here but in "train" at row 4');
  });

  it('reads a CSV manifest with line numbers and names the manifest when it is unusable', async () => {
    const csv = join(dir, 'site.csv');
    await writeFile(csv, '# centre: B\npatient,task,label,modality,slice_thickness,split,paths,dims\nP1,classify,CP,CT,2,val,img/p1.nii,4x6\nP2,classify,CP,CT,2,val,img/missing.nii,4x6\n');
    const res = await checkManifest(csv, { read: readVolume });
    expect(res.manifest).toMatchObject({ format: 'csv', centre: 'B' });
    expect(res.good).toHaveLength(1);
    expect(res.bad).toEqual([{ row: 2, line: 4, patient: 'P2', kind: 'missing-file', reason: `${join(dir, 'img/missing.nii')}: no such file or folder` }]);
    await expect(checkManifest(join(dir, 'none.json'), { read: readVolume })).rejects.toThrow(/none\.json: manifest file not found/);
    await expect(checkManifest(dir, { read: readVolume })).rejects.toThrow(/is a folder/);
  });
});

describe('checkManifest robustness', () => {
  it('a reader that throws something unexpected costs only that row', async () => {
    const manifest = join(dir, 'throws.json');
    await writeFile(manifest, JSON.stringify({ version: 1, centre: 'A', entries: [
      row({ patient: 'P1', paths: ['img/p1.nii'] }),
      row({ patient: 'P2', paths: ['img/p2.nii'] }),
    ] }));
    const read = async (p: string): ReturnType<typeof readVolume> => {
      if (p.endsWith('p2.nii')) throw 'decoder exploded'; // not even an Error
      return readVolume(p);
    };
    const res = await checkManifest(manifest, { read });
    expect(res.good.map((g) => g.entry.patient)).toEqual(['P1']);
    expect(res.bad).toEqual([{ row: 2, patient: 'P2', kind: 'unreadable-file', reason: `${join(dir, 'img/p2.nii')}: decoder exploded` }]);
  });
});
