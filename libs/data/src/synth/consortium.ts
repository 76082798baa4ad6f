/**
 * `data synth`: a whole consortium on disk. Layout (paths in manifests are relative to the centre):
 *
 *   <out>/consortium.json          options, seed, centre signatures, counts
 *   <out>/domain-shift.json        per-centre intensity histogram distances (measured on what was written)
 *   <out>/<C>/manifest.json        the training manifest: chest (classify) and head (segment) rows
 *   <out>/<C>/ground-truth.json    lesion masks and thin-slice label maps: never for training
 *   <out>/<C>/images/chest-ct/<id>/IM0001.dcm ...   DICOM series
 *   <out>/<C>/images/brain-ct/<id>/IM0001.dcm ...   DICOM series
 *   <out>/<C>/images/brain-mr/<id>.nii.gz           NIfTI-1
 *   <out>/<C>/masks/<id>.nii.gz                     thick-slice ventricle label maps (named by the manifest)
 *   <out>/<C>/ground-truth/lesions/<id>.nii.gz      chest lesion masks
 *   <out>/<C>/ground-truth/ventricles/<id>.nii.gz   thin-slice ventricle label maps
 *   <out>/<C>/cc-ccii/<class>/<id>/1/0001.png ...   with ccciiPng: chest CT in lung window, CC-CCII layout
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManifestEntry } from '../manifest/schema.js';
import { DataError } from '../volume.js';
import { encodeGrayPng, windowToGray } from '../writers/png.js';
import { writeDicomSeries, writeNifti } from '../writers/write.js';
import { domainShift, Histogram, type CentreHistograms, type DomainShiftReport } from './domain-shift.js';
import { GroundTruthIndex, type BrainTruth, type ChestTruth } from './ground-truth.js';
import { DEFAULT_SYNTH_OPTIONS, planCentre, SynthOptions, type PatientKind } from './plan.js';
import { synthesisePatient } from './patient.js';
import { centreSignatures } from './signature.js';

export const SYNTH_VERSION = '0.1.0';
/**
 * Revision of the phantoms: a consortium written by another revision holds different images for
 * the same options, so it must not be reused. 2: mild NCP spans 15–25 % of the lung slices.
 */
export const PHANTOM_REVISION = 2;

/** Histogram ranges per kind: chest HU, head soft-tissue HU, MR stored-scale signal. */
const HIST: Record<PatientKind, [number, number, number]> = {
  'chest-ct': [-1024, 1024, 128],
  'brain-ct': [-100, 200, 150],
  'brain-mr': [0, 4096, 128],
};

export interface SynthProgress {
  centre: string;
  patient: string;
  done: number;
  total: number;
}

export interface SynthResult {
  out: string;
  options: SynthOptions;
  centres: { centre: string; patients: number; manifest: string; groundTruth: string }[];
  domainShift: Partial<Record<PatientKind, DomainShiftReport>>;
  files: number;
  bytes: number;
}

async function prepareOut(out: string, force: boolean): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await readdir(out);
  } catch {
    await mkdir(out, { recursive: true });
    return;
  }
  if (entries.length === 0) return;
  if (!force) throw new DataError(out, 'folder is not empty (use --force to replace a consortium written there before)');
  if (!entries.includes('consortium.json')) throw new DataError(out, '--force only replaces a folder holding a previous consortium (no consortium.json found)');
  for (const e of entries) await rm(join(out, e), { recursive: true, force: true });
}

export async function writeConsortium(out: string, options: Partial<SynthOptions> = {}, hooks: { force?: boolean; onProgress?: (p: SynthProgress) => void } = {}): Promise<SynthResult> {
  const opts = SynthOptions.parse({ ...DEFAULT_SYNTH_OPTIONS, ...options });
  await prepareOut(out, hooks.force ?? false);
  const sigs = centreSignatures(opts.seed, opts.centres, { chestSlices: opts.chestSlices });
  const plans = sigs.map((s) => planCentre(opts, s));
  const total = plans.reduce((n, p) => n + p.length, 0);
  const versions = { unbox: SYNTH_VERSION, node: process.versions.node };
  // Written first (it depends on the options only), so an interrupted run can be replaced with --force.
  // No creation time in any file: the same seed and options must give byte-identical output.
  await writeFile(
    join(out, 'consortium.json'),
    JSON.stringify({ version: 1, generator: 'unbox data synth', phantom: PHANTOM_REVISION, seed: opts.seed, config: opts, versions, centres: sigs.map((s, i) => ({ ...s, patients: plans[i].length })) }, null, 2) + '\n',
  );
  const hist: Record<PatientKind, CentreHistograms[]> = { 'chest-ct': [], 'brain-ct': [], 'brain-mr': [] };
  let done = 0;
  let files = 0;
  let bytes = 0;
  const centres: SynthResult['centres'] = [];
  for (let ci = 0; ci < sigs.length; ci++) {
    const sig = sigs[ci];
    const dir = join(out, sig.centre);
    const entries: ManifestEntry[] = [];
    const chest: ChestTruth[] = [];
    const brain: BrainTruth[] = [];
    const perKind = new Map<PatientKind, { h: CentreHistograms; n: number }>();
    for (const plan of plans[ci]) {
      const p = synthesisePatient(plan, sig, opts);
      let g = perKind.get(plan.kind);
      if (!g) {
        const [lo, hi, bins] = HIST[plan.kind];
        g = { h: { centre: sig.centre, all: new Histogram(lo, hi, bins), halves: [new Histogram(lo, hi, bins), new Histogram(lo, hi, bins)] }, n: 0 };
        perKind.set(plan.kind, g);
      }
      g.h.all.add(p.values);
      g.h.halves[g.n++ % 2].add(p.values);

      let imagePath: string;
      if (p.image.format === 'dicom') {
        imagePath = `images/${plan.kind}/${plan.id}`;
        const written = await writeDicomSeries(join(dir, imagePath), p.image.spec);
        files += written.length;
      } else {
        imagePath = `images/${plan.kind}/${plan.id}.nii.gz`;
        await writeNifti(join(dir, imagePath), p.image.spec, 1);
        files++;
      }
      const dims: [number, number] = [p.dims.rows, p.dims.columns];
      if (plan.kind === 'chest-ct' && p.chest) {
        const maskPath = `ground-truth/lesions/${plan.id}.nii.gz`;
        await writeNifti(join(dir, maskPath), p.mask, 1);
        files++;
        entries.push(ManifestEntry.parse({ patient: plan.id, task: 'classify', label: plan.label, modality: 'CT', slice_thickness: p.sliceThickness, split: plan.split, paths: [imagePath], dims }));
        if (opts.ccciiPng) files += await writeCcCciiScan(join(dir, 'cc-ccii', plan.label ?? 'Normal', plan.id, '1'), p.values, p.dims);
        chest.push({ patient: plan.id, label: plan.label ?? 'Normal', severity: plan.severity ?? null, lesion_type: p.chest.lesionType, lesion_slices: p.chest.lesionSlices, lesion_voxels: p.chest.lesionVoxels, mask: maskPath, split: plan.split });
      } else if (p.brain) {
        const thick = plan.thickness === 'thick';
        const maskPath = thick ? `masks/${plan.id}.nii.gz` : `ground-truth/ventricles/${plan.id}.nii.gz`;
        await writeNifti(join(dir, maskPath), p.mask, 1);
        files++;
        entries.push(ManifestEntry.parse({ patient: plan.id, task: 'segment', modality: p.modality, slice_thickness: p.sliceThickness, split: plan.split, paths: [imagePath], ...(thick ? { mask: maskPath } : {}), dims }));
        const vv = p.brain.ventricleVoxels;
        brain.push({
          patient: plan.id,
          modality: p.modality,
          class: p.brain.brainClass,
          thickness: plan.thickness ?? 'thick',
          slice_thickness: p.sliceThickness,
          ventricle_scale: Math.round(p.brain.ventricleScale * 1e4) / 1e4,
          ventricle_voxels: vv,
          ventricle_ml: vv.map((v) => Math.round(v * p.brain!.voxelMl * 1000) / 1000) as [number, number, number, number],
          mask: maskPath,
          in_manifest: thick,
          split: plan.split,
        });
      }
      done++;
      hooks.onProgress?.({ centre: sig.centre, patient: plan.id, done, total });
    }
    for (const [kind, g] of perKind) hist[kind].push(g.h);
    const manifest = { version: 1 as const, centre: sig.centre, entries };
    const truth = GroundTruthIndex.parse({ version: 1, centre: sig.centre, seed: opts.seed, chest, brain });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await writeFile(join(dir, 'ground-truth.json'), JSON.stringify(truth, null, 2) + '\n');
    files += 2;
    centres.push({ centre: sig.centre, patients: plans[ci].length, manifest: join(dir, 'manifest.json'), groundTruth: join(dir, 'ground-truth.json') });
  }
  const shift: Partial<Record<PatientKind, DomainShiftReport>> = {};
  for (const kind of Object.keys(hist) as PatientKind[]) if (hist[kind].length > 0) shift[kind] = domainShift(hist[kind]);
  await writeFile(join(out, 'domain-shift.json'), JSON.stringify({ version: 1, seed: opts.seed, config: opts, versions, backend: 'cpu', histograms: HIST, kinds: shift }, null, 2) + '\n');
  files += 2;
  bytes = await folderBytes(out);
  return { out, options: opts, centres, domainShift: shift, files, bytes };
}

/** CC-CCII-like slices: lung window (W 1500, L -600) to 8-bit grey, one PNG per slice, slice 0 first. */
async function writeCcCciiScan(dir: string, hu: Float32Array, d: { slices: number; rows: number; columns: number }): Promise<number> {
  await mkdir(dir, { recursive: true });
  const plane = d.rows * d.columns;
  const gray = windowToGray(hu, -600, 1500);
  await Promise.all(Array.from({ length: d.slices }, (_, k) => writeFile(join(dir, `${String(k + 1).padStart(4, '0')}.png`), encodeGrayPng(gray.subarray(k * plane, (k + 1) * plane), d.rows, d.columns))));
  return d.slices;
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await folderBytes(p);
    else n += (await stat(p)).size;
  }
  return n;
}
