import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest, ManifestEntry } from '../manifest/schema.js';
import { readVolume } from '../read.js';
import { listCcCciiScans } from '../slices/index.js';
import { windowToGray } from '../writers/png.js';
import { writeConsortium, type SynthResult } from './consortium.js';
import { GroundTruthIndex } from './ground-truth.js';
import { groundTruthPath, loadGroundTruthIndex } from './ground-truth-load.js';
import { domainShiftFromManifests } from './domain-shift-files.js';
import { planCentre, SynthOptions, DEFAULT_SYNTH_OPTIONS } from './plan.js';
import { synthesisePatient } from './patient.js';
import { centreSignatures } from './signature.js';

/** Tiny, so the whole file runs in seconds. */
const TINY: Partial<SynthOptions> = { seed: 11, centres: 2, size: 32, chestPatients: 8, chestSlices: 10, brainCtPatients: 4, brainMrPatients: 4, brainCoverage: 0.4 };

let root: string;
let first: SynthResult;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unbox-synth-'));
  first = await writeConsortium(join(root, 'a'), TINY);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out.sort();
}

describe('writeConsortium', () => {
  it('is byte-identical for the same seed and differs for another', async () => {
    await writeConsortium(join(root, 'b'), TINY);
    const a = await files(join(root, 'a'));
    const b = await files(join(root, 'b'));
    expect(a.map((f) => relative(join(root, 'a'), f))).toEqual(b.map((f) => relative(join(root, 'b'), f)));
    for (let i = 0; i < a.length; i++) expect(Buffer.compare(await readFile(a[i]), await readFile(b[i])), a[i]).toBe(0);
    await writeConsortium(join(root, 'c'), { ...TINY, seed: 12 });
    expect(await readFile(join(root, 'c', 'A', 'manifest.json'), 'utf8')).not.toBe(await readFile(join(root, 'a', 'A', 'manifest.json'), 'utf8'));
  });

  it('writes one valid manifest per centre: labels on chest rows, masks on thick head rows only, every split used', async () => {
    expect(first.centres.map((c) => c.centre)).toEqual(['A', 'B']);
    for (const c of first.centres) {
      const m = Manifest.parse(JSON.parse(await readFile(c.manifest, 'utf8')));
      expect(m.centre).toBe(c.centre);
      const entries = m.entries.map((e) => ManifestEntry.parse(e));
      expect(entries).toHaveLength(16);
      const chest = entries.filter((e) => e.task === 'classify');
      const head = entries.filter((e) => e.task === 'segment');
      expect(chest).toHaveLength(8);
      expect(chest.every((e) => e.label !== undefined && e.mask === undefined && e.modality === 'CT')).toBe(true);
      expect(new Set(chest.map((e) => e.label))).toEqual(new Set(['NCP', 'CP', 'Normal']));
      expect(new Set(chest.map((e) => e.split))).toEqual(new Set(['train', 'val', 'test']));
      for (const e of head) {
        expect(e.label).toBeUndefined();
        if (e.slice_thickness <= 1.5) expect(e.mask).toBeUndefined();
        else {
          expect(e.slice_thickness).toBeGreaterThanOrEqual(5);
          expect((await stat(join(c.manifest, '..', e.mask!))).isFile()).toBe(true);
        }
      }
      expect(head.filter((e) => e.mask).length).toBeGreaterThan(0);
      expect(head.filter((e) => !e.mask).length).toBeGreaterThan(0);
      expect(new Set(head.map((e) => e.modality))).toEqual(new Set(['CT', 'MR']));
      expect(JSON.stringify(m)).not.toContain('ground-truth');
    }
  });

  it('keeps lesion masks and thin-slice label maps in a separate ground-truth index', async () => {
    for (const c of first.centres) {
      const gt = GroundTruthIndex.parse(JSON.parse(await readFile(c.groundTruth, 'utf8')));
      expect(gt.chest).toHaveLength(8);
      for (const t of gt.chest) {
        expect(t.mask.startsWith('ground-truth/lesions/')).toBe(true);
        const v = await readVolume(join(c.groundTruth, '..', t.mask));
        let n = 0;
        for (const x of v.data) if (x) n++;
        expect(n).toBe(t.lesion_voxels);
        expect(t.label === 'Normal').toBe(t.lesion_slices === null);
      }
      const thin = gt.brain.filter((b) => b.thickness === 'thin');
      expect(thin.length).toBeGreaterThan(0);
      for (const b of thin) {
        expect(b.in_manifest).toBe(false);
        expect(b.mask.startsWith('ground-truth/ventricles/')).toBe(true);
        expect((await stat(join(c.groundTruth, '..', b.mask))).isFile()).toBe(true);
      }
    }
  });

  it('loads a ground-truth index with its folder, and names the file and field of a bad one', async () => {
    const gt = await loadGroundTruthIndex(first.centres[0].groundTruth);
    expect(gt.centre).toBe('A');
    expect((await stat(groundTruthPath(gt, gt.chest[0].mask))).isFile()).toBe(true);
    const bad = join(root, 'bad-gt.json');
    await writeFile(bad, JSON.stringify({ ...gt, dir: undefined, chest: [{ ...gt.chest[0], label: 'COVID' }] }));
    await expect(loadGroundTruthIndex(bad)).rejects.toThrow(/bad-gt\.json: invalid ground-truth index at chest\.0\.label/);
    await writeFile(bad, '{');
    await expect(loadGroundTruthIndex(bad)).rejects.toThrow(/bad-gt\.json: not JSON/);
    await expect(loadGroundTruthIndex(join(root, 'none.json'))).rejects.toThrow(/none\.json: cannot read/);
  });

  it('round-trips through readVolume: what was written is what the generator computed', async () => {
    const opts = SynthOptions.parse({ ...DEFAULT_SYNTH_OPTIONS, ...TINY });
    const sig = centreSignatures(opts.seed, opts.centres, { chestSlices: opts.chestSlices })[1];
    const plans = planCentre(opts, sig);
    for (const kind of ['chest-ct', 'brain-ct', 'brain-mr'] as const) {
      const plan = plans.find((p) => p.kind === kind)!;
      const p = synthesisePatient(plan, sig, opts);
      const path = join(root, 'a', 'B', 'images', kind, kind === 'brain-mr' ? `${plan.id}.nii.gz` : plan.id);
      const v = await readVolume(path);
      expect([v.slices, v.rows, v.columns]).toEqual([p.dims.slices, p.dims.rows, p.dims.columns]);
      expect(v.sliceThickness).toBeCloseTo(p.sliceThickness, 5);
      let maxDiff = 0;
      for (let i = 0; i < v.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(v.data[i] - p.values[i]));
      expect(maxDiff).toBeLessThan(1e-3);
      const mask = await readVolume(join(root, 'a', 'B', kind === 'chest-ct' ? 'ground-truth/lesions' : plan.thickness === 'thick' ? 'masks' : 'ground-truth/ventricles', `${plan.id}.nii.gz`));
      expect([mask.slices, mask.rows, mask.columns]).toEqual([v.slices, v.rows, v.columns]);
    }
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v dciodvfy']).status !== 0)('writes DICOM that dciodvfy accepts without errors (chest and head CT)', async () => {
    for (const kind of ['chest-ct', 'brain-ct']) {
      const series = join(root, 'a', 'A', 'images', kind);
      const patient = (await readdir(series)).sort()[0];
      const file = join(series, patient, (await readdir(join(series, patient))).sort()[1]);
      const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
      expect(r.stdout + r.stderr).toContain('CTImage');
      expect((r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    }
  });

  it('optionally writes chest CT in the CC-CCII PNG layout, readable by the slice reader', async () => {
    const out = join(root, 'png');
    await writeConsortium(out, { ...TINY, centres: 1, chestPatients: 3, brainCtPatients: 0, brainMrPatients: 0, ccciiPng: true });
    const scans = await listCcCciiScans(join(out, 'A', 'cc-ccii'));
    const manifest = JSON.parse(await readFile(join(out, 'A', 'manifest.json'), 'utf8'));
    expect(scans.map((s) => `${s.label}/${s.patient}`).sort()).toEqual(manifest.entries.map((e: ManifestEntry) => `${e.label}/${e.patient}`).sort());
    const s = scans[0];
    const png = await readVolume(s.dir);
    const ct = await readVolume(join(out, 'A', 'images', 'chest-ct', s.patient));
    expect([png.slices, png.rows, png.columns]).toEqual([ct.slices, ct.rows, ct.columns]);
    expect(Array.from(png.data)).toEqual(Array.from(windowToGray(ct.data, -600, 1500)));
  });

  it('makes centres measurably different: between-centre intensity distance exceeds the within-centre one', () => {
    for (const kind of ['chest-ct', 'brain-ct', 'brain-mr'] as const) {
      const r = first.domainShift[kind]!;
      expect(r.centres).toEqual(['A', 'B']);
      expect(r.w1[0][1]).toBeGreaterThan(r.within_w1_mean);
      expect(r.w1_ratio).toBeGreaterThan(1.5);
    }
  });

  it('measures the same shift from the files on disk as the generator reported, skipping unreadable scans', async () => {
    const manifests = first.centres.map((c) => c.manifest);
    const r = await domainShiftFromManifests(manifests, { task: 'classify', hist: [-1024, 1024, 128] });
    expect(r.scans).toEqual([8, 8]);
    const g = first.domainShift['chest-ct']!;
    expect(r.w1[0][1]).toBeCloseTo(g.w1[0][1], 9);
    expect(r.within_w1).toEqual(g.within_w1.map((x) => expect.closeTo(x, 9)));
    const mr = await domainShiftFromManifests(manifests, {
      modality: 'MR',
      hist: [0, 4096, 128],
      read: async (p) => {
        if (p.endsWith('M001.nii.gz')) throw new Error(`${p}: truncated`);
        return readVolume(p);
      },
    });
    expect(mr.skipped.map((s) => s.patient).sort()).toEqual(['A-M001', 'B-M001']);
    expect(mr.scans).toEqual([3, 3]);
  });

  it('refuses to write into a non-empty folder that holds no consortium, even with force', async () => {
    const d = join(root, 'busy');
    await writeConsortium(join(d, 'x'), { ...TINY, centres: 1, chestPatients: 0, brainCtPatients: 0, brainMrPatients: 1 });
    await writeFile(join(d, 'notes.txt'), 'mine');
    await expect(writeConsortium(d, TINY)).rejects.toThrow(/not empty/);
    await expect(writeConsortium(d, TINY, { force: true })).rejects.toThrow(/no consortium\.json/);
    expect(await readFile(join(d, 'notes.txt'), 'utf8')).toBe('mine');
    // force replaces a previous consortium
    const again = await writeConsortium(join(d, 'x'), { ...TINY, centres: 1, chestPatients: 1, brainCtPatients: 0, brainMrPatients: 0 }, { force: true });
    expect(again.centres[0].patients).toBe(1);
    await expect(writeConsortium(join(root, 'bad'), { ...TINY, size: 3 })).rejects.toThrow(/size/);
  });
});
