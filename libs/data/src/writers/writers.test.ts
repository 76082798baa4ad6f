import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../read.js';
import { encodeDataset, encodeElement, encodePart10, formatDS, tag } from './dicom-elements.js';
import { encodeDicomSeries, toStoredInt16, type DicomSeriesSpec } from './dicom.js';
import { affineToQuatern, axialLpsAffine, encodeNifti1, encodeNifti1Gz, lpsToRasAffine } from './nifti.js';
import { isValidUid, uidFromKey, UID } from './uid.js';
import { writeDicomSeries, writeNifti } from './write.js';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const pyHas = (mods: string): boolean => spawnSync('/usr/bin/python3', ['-c', `import ${mods}`]).status === 0;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-writers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// 3 slices x 4 rows x 5 columns; HU = 10 * index - 1000 (so -1000 .. -410)
const rows = 4;
const columns = 5;
const slices = 3;
const hu = Float32Array.from({ length: rows * columns * slices }, (_, i) => 10 * i - 1000);

function ctSpec(over: Partial<DicomSeriesSpec> = {}): DicomSeriesSpec {
  return {
    modality: 'CT',
    rows,
    columns,
    slices,
    stored: toStoredInt16(hu, 0.5, -1024),
    rescaleSlope: 0.5,
    rescaleIntercept: -1024,
    pixelSpacing: [0.7, 0.8],
    sliceThickness: 5,
    sliceSpacing: 5,
    origin: [-10.5, -20.25, 30],
    patient: { id: 'P1', name: 'Synthetic^P1', sex: 'F', birthDate: '19600101' },
    study: { instanceUid: uidFromKey('s'), date: '20200101', time: '101010', id: 'S1' },
    series: { instanceUid: uidFromKey('se'), number: 1, description: 'chest', bodyPart: 'CHEST' },
    frameOfReferenceUid: uidFromKey('f'),
    equipment: { manufacturer: 'Unbox' },
    window: { center: -600, width: 1500 },
    ...over,
  };
}

describe('DICOM elements (explicit VR little endian)', () => {
  it('encodes a short-length element byte by byte', () => {
    // (0028,0010) US 512: group, element, "US", length 2, value
    expect([...encodeElement({ tag: tag(0x0028, 0x0010), vr: 'US', value: 512 })]).toEqual([0x28, 0x00, 0x10, 0x00, 0x55, 0x53, 0x02, 0x00, 0x00, 0x02]);
  });
  it('pads UI with NUL and text with a space to even length', () => {
    expect([...encodeElement({ tag: tag(0x0008, 0x0016), vr: 'UI', value: '1.2.3' })].slice(6)).toEqual([6, 0, 0x31, 0x2e, 0x32, 0x2e, 0x33, 0x00]);
    expect([...encodeElement({ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'MRI' })].slice(8)).toEqual([0x4d, 0x52, 0x49, 0x20]);
  });
  it('uses the reserved field and a 32-bit length for OB/OW', () => {
    const e = encodeElement({ tag: tag(0x7fe0, 0x0010), vr: 'OW', value: new Uint8Array([1, 2, 3, 4]) });
    expect([...e]).toEqual([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4]);
  });
  it('formats decimal strings in at most 16 characters', () => {
    for (const x of [1 / 3, -123456.789012345, 2.90625, 1e-20, -0, 0.1 + 0.2]) {
      const s = formatDS(x);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(s) - x)).toBeLessThanOrEqual(Math.abs(x) * 1e-9 + 1e-300);
    }
    expect(formatDS(2.90625)).toBe('2.90625');
    expect(() => formatDS(NaN)).toThrow(/finite/);
  });
  it('rejects values the standard forbids, naming the tag', () => {
    expect(() => encodeElement({ tag: tag(0x0008, 0x0060), vr: 'CS', value: 'ct' })).toThrow(/\(0008,0060\).*CS/);
    expect(() => encodeElement({ tag: tag(0x0010, 0x0020), vr: 'LO', value: 'x'.repeat(65) })).toThrow(/longer than 64/);
    expect(() => encodeElement({ tag: tag(0x0008, 0x0018), vr: 'UI', value: '1.02.3' })).toThrow(/not a UID/);
    expect(() => encodeDataset([{ tag: 1, vr: 'US', value: 1 }, { tag: 1, vr: 'US', value: 2 }])).toThrow(/duplicate/);
  });
  it('writes the Part 10 preamble, DICM and a correct group length', () => {
    const f = encodePart10(UID.CTImageStorage, '1.2.3', []);
    expect(f.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(String.fromCharCode(...f.subarray(128, 132))).toBe('DICM');
    const dv = new DataView(f.buffer, f.byteOffset);
    expect(dv.getUint16(132, true)).toBe(2); // (0002,0000)
    const groupLength = dv.getUint32(140, true);
    expect(144 + groupLength).toBe(f.length); // empty data set: the meta group is the rest of the file
  });
});

describe('UIDs', () => {
  it('are valid 2.25 UIDs, stable per key and distinct across keys', () => {
    const a = uidFromKey('a');
    expect(isValidUid(a)).toBe(true);
    expect(a.startsWith('2.25.')).toBe(true);
    expect(uidFromKey('a')).toBe(a);
    expect(uidFromKey('b')).not.toBe(a);
    expect(isValidUid('1.02')).toBe(false);
  });
});

describe('DICOM CT/MR image series', () => {
  it('places slice k at origin + k * spacing * normal, and stored * slope + intercept gives back HU (dicom-parser)', () => {
    const files = encodeDicomSeries(ctSpec());
    expect(files).toHaveLength(3);
    files.forEach((f, k) => {
      const ds = dicomParser.parseDicom(f.bytes);
      expect(ds.string('x00020010')).toBe(UID.ExplicitVRLittleEndian);
      expect(ds.string('x00020002')).toBe(UID.CTImageStorage);
      expect(ds.string('x00020003')).toBe(ds.string('x00080018'));
      expect(ds.string('x00200032')).toBe(`-10.5\\-20.25\\${30 + 5 * k}`);
      expect(ds.string('x00200037')).toBe('1\\0\\0\\0\\1\\0');
      expect(ds.string('x00280030')).toBe('0.7\\0.8');
      expect(ds.uint16('x00280103')).toBe(1);
      expect(ds.string('x00281052')).toBe('-1024');
      expect(ds.string('x00281053')).toBe('0.5');
      const px = ds.elements.x7fe00010;
      const v = new Int16Array(f.bytes.buffer.slice(f.bytes.byteOffset + px.dataOffset, f.bytes.byteOffset + px.dataOffset + px.length));
      const back = Array.from(v, (s) => s * 0.5 - 1024);
      expect(back).toEqual(Array.from(hu.subarray(k * 20, (k + 1) * 20)));
    });
    expect(new Set(files.map((f) => f.sopInstanceUid)).size).toBe(3);
  });
  it('rejects a pixel buffer of the wrong size', () => {
    expect(() => encodeDicomSeries(ctSpec({ stored: new Int16Array(7) }))).toThrow(/expected 3x4x5/);
  });
  it('clamps stored values to int16', () => {
    expect([...toStoredInt16(Float32Array.of(1e9, -1e9, 1.5, -1.5), 1, 0)]).toEqual([32767, -32768, 2, -1]);
  });

  it.skipIf(!has('dciodvfy'))('passes dciodvfy (dicom3tools) with no errors for CT and MR', async () => {
    const ct = await writeDicomSeries(join(dir, 'ct'), ctSpec());
    const mr = await writeDicomSeries(join(dir, 'mr'), ctSpec({ modality: 'MR', rescaleSlope: 1, rescaleIntercept: 0, stored: toStoredInt16(hu.map((x) => x + 1000), 1, 0), series: { instanceUid: uidFromKey('mr'), number: 2, bodyPart: 'HEAD' } }));
    for (const f of [ct[1], mr[1]]) {
      const r = spawnSync('dciodvfy', [f], { encoding: 'utf8' });
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/CTImage|MRImage/);
      expect(out.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    }
  });
  it.skipIf(!has('dcmdump'))('is read by dcmtk dcmdump with the expected attributes', async () => {
    const files = await writeDicomSeries(join(dir, 'ct2'), ctSpec());
    const out = execFileSync('dcmdump', ['+P', '0020,0032', '+P', '0028,1052', '+P', '0002,0010', files[2]], { encoding: 'utf8' });
    expect(out).toContain('[-10.5\\-20.25\\40]');
    expect(out).toContain('[-1024]');
    expect(out).toContain('=LittleEndianExplicit');
  });
  it.skipIf(!pyHas('pydicom, numpy'))('decodes to the same HU in pydicom', async () => {
    const files = await writeDicomSeries(join(dir, 'ct3'), ctSpec());
    const py = `import pydicom,json,sys\nd=pydicom.dcmread(sys.argv[1])\nprint(json.dumps([float(x) for x in (d.pixel_array*float(d.RescaleSlope)+float(d.RescaleIntercept)).ravel()]))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, files[1]], { encoding: 'utf8' }));
    expect(out).toEqual(Array.from(hu.subarray(20, 40)));
  });
  it('round-trips through readVolume (series folder, HU, spacing, LPS affine)', async () => {
    await writeDicomSeries(join(dir, 'ct4'), ctSpec());
    const v = await readVolume(join(dir, 'ct4'));
    expect([v.slices, v.rows, v.columns]).toEqual([3, 4, 5]);
    expect(Array.from(v.data)).toEqual(Array.from(hu));
    expect(v.spacing[0]).toBeCloseTo(0.7, 6);
    expect(v.spacing[1]).toBeCloseTo(0.8, 6);
    expect(v.spacing[2]).toBeCloseTo(5, 6);
    expect(v.sliceThickness).toBe(5);
    expect(v.modality).toBe('CT');
  });
});

describe('NIfTI-1', () => {
  const lps = axialLpsAffine({ row: 0.7, column: 0.8, slice: 5 }, [-10.5, -20.25, 30]);
  const ras = lpsToRasAffine(lps);
  it('converts LPS to RAS by negating the x and y rows', () => {
    expect(ras).toEqual([-0.8, -0, -0, 10.5, -0, -0.7, -0, 20.25, 0, 0, 5, 30, 0, 0, 0, 1]);
  });
  it('turns the axial RAS affine into quaternion (0, 0, 1): a half turn about z', () => {
    const q = affineToQuatern(ras);
    expect([q.b, q.c, q.d, q.qfac]).toEqual([0, 0, 1, 1]);
    expect([q.dx, q.dy, q.dz]).toEqual([0.8, 0.7, 5]);
    // 90 degrees about z: b = c = 0, d = sin(45 deg)
    const r = affineToQuatern([0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(r.d).toBeCloseTo(Math.SQRT1_2, 12);
    // a left-handed grid: qfac = -1
    expect(affineToQuatern([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -2, 0, 0, 0, 0, 1]).qfac).toBe(-1);
  });
  it('writes the header fields at their nifti1.h offsets', () => {
    const data = Int16Array.from({ length: 60 }, (_, i) => i - 30);
    const b = encodeNifti1({ data, dims: [5, 4, 3], affine: ras, sclSlope: 2, sclInter: -5 });
    const v = new DataView(b.buffer);
    expect(v.getInt32(0, true)).toBe(348);
    expect([0, 1, 2, 3].map((i) => v.getInt16(40 + 2 * i, true))).toEqual([3, 5, 4, 3]);
    expect(v.getInt16(70, true)).toBe(4); // DT_INT16
    expect(v.getInt16(72, true)).toBe(16);
    expect(v.getFloat32(108, true)).toBe(352);
    expect(v.getFloat32(112, true)).toBe(2);
    expect(v.getFloat32(116, true)).toBe(-5);
    expect(v.getInt16(252, true)).toBe(1);
    expect(v.getInt16(254, true)).toBe(1);
    expect(v.getFloat32(280 + 12, true)).toBeCloseTo(10.5, 5); // srow_x[3]
    expect(String.fromCharCode(...b.subarray(344, 347))).toBe('n+1');
    expect(b.length).toBe(352 + 120);
    expect(v.getInt16(352 + 2 * 59, true)).toBe(29);
    expect(gunzipSync(encodeNifti1Gz({ data, dims: [5, 4, 3], affine: ras }))).toHaveLength(472);
  });
  it('rejects inconsistent sizes', () => {
    expect(() => encodeNifti1({ data: new Uint8Array(5), dims: [5, 4, 3], affine: ras })).toThrow(/expected 5x4x3/);
    expect(() => encodeNifti1({ data: new Uint8Array(1), dims: [1, 1, 1], affine: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] })).toThrow(/zero-length/);
  });
  it.skipIf(!pyHas('nibabel, numpy'))('is read by nibabel with the same affine (qform and sform) and values', async () => {
    const data = Int16Array.from({ length: 60 }, (_, i) => i - 30);
    await writeNifti(join(dir, 'a.nii.gz'), { data, dims: [5, 4, 3], affine: ras, sclSlope: 2, sclInter: -5 });
    const py = `import nibabel as nib,json,sys,numpy as np\ni=nib.load(sys.argv[1])\nprint(json.dumps({"q":i.header.get_qform().ravel().tolist(),"s":i.header.get_sform().ravel().tolist(),"v":np.asarray(i.get_fdata()).transpose(2,1,0).ravel().tolist(),"z":[float(x) for x in i.header.get_zooms()]}))`;
    const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, join(dir, 'a.nii.gz')], { encoding: 'utf8' }));
    for (const m of [out.q, out.s]) m.forEach((x: number, i: number) => expect(x).toBeCloseTo(ras[i], 5));
    expect(out.v).toEqual(Array.from(data, (x) => 2 * x - 5));
    out.z.forEach((z: number, i: number) => expect(z).toBeCloseTo([0.8, 0.7, 5][i], 6));
  });
  it('round-trips through readVolume (.nii.gz, scaling, uint8 labels)', async () => {
    const data = Int16Array.from({ length: 60 }, (_, i) => i - 30);
    await writeNifti(join(dir, 'b.nii.gz'), { data, dims: [5, 4, 3], affine: ras, sclSlope: 0.5, sclInter: 1 });
    const v = await readVolume(join(dir, 'b.nii.gz'));
    expect([v.slices, v.rows, v.columns]).toEqual([3, 4, 5]);
    expect(Array.from(v.data)).toEqual(Array.from(data, (x) => 0.5 * x + 1));
    const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 5);
    await writeNifti(join(dir, 'm.nii'), { data: labels, dims: [5, 4, 3], affine: ras, intentCode: 1002 });
    expect(Array.from((await readVolume(join(dir, 'm.nii'))).data)).toEqual(Array.from(labels));
    await expect(writeNifti(join(dir, 'x.img'), { data: labels, dims: [5, 4, 3], affine: ras })).rejects.toThrow(/\.nii or \.nii\.gz/);
    expect((await readdir(dir)).includes('x.img')).toBe(false);
    expect((await readFile(join(dir, 'm.nii'))).length).toBe(352 + 60);
  });
});

describe('PNG slices', () => {
  it('windows values to 0..255 and encodes 8-bit grey PNGs that decode to the same bytes', async () => {
    const { windowToGray, encodeGrayPng } = await import('./png.js');
    const { decodePng } = await import('../slices/index.js');
    expect([...windowToGray([-1350, -600, 150, -2000, 5000, -598.5], -600, 1500)]).toEqual([0, 128, 255, 0, 255, 128]);
    const g = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    const png = encodeGrayPng(g, 3, 4);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png[25]).toBe(0); // IHDR colour type: greyscale
    const d = decodePng(png);
    expect([d.width, d.height, d.channels]).toEqual([4, 3, 1]);
    expect(Array.from(d.data)).toEqual(Array.from(g));
    expect(() => encodeGrayPng(g, 2, 2)).toThrow(/2x2/);
  });
});
