/**
 * One synthetic patient from its plan and its centre's signature: the phantom, the scanner model,
 * and the encoder inputs for the image (DICOM series for CT, NIfTI for MR) and its truth mask.
 * Pure: nothing is written here.
 */
import type { DicomSeriesSpec } from '../writers/dicom.js';
import { axialLpsAffine, lpsToRasAffine, NIFTI_INTENT_LABEL, type NiftiSpec } from '../writers/nifti.js';
import { uidFromKey } from '../writers/uid.js';
import { brainPhantom, type BrainClass } from './brain.js';
import { chestPhantom, type LesionType } from './chest.js';
import type { PatientPlan, SynthOptions } from './plan.js';
import { SynthRng } from './rng.js';
import { scanCt, scanMr } from './scanner.js';
import type { CentreSignature } from './signature.js';

export interface SynthPatient {
  plan: PatientPlan;
  modality: 'CT' | 'MR';
  sliceThickness: number;
  dims: { slices: number; rows: number; columns: number };
  /** what the reader will decode (HU for CT, scaled values for MR), for measurements */
  values: Float32Array;
  image: { format: 'dicom'; spec: DicomSeriesSpec } | { format: 'nifti'; spec: NiftiSpec };
  mask: NiftiSpec;
  chest?: { lesionType: LesionType | null; lesionSlices: [number, number] | null; lesionVoxels: number };
  brain?: { brainClass: BrainClass; ventricleScale: number; ventricleVoxels: [number, number, number, number]; voxelMl: number };
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

function studyMeta(rng: SynthRng, key: string, plan: PatientPlan, sig: CentreSignature, description: string, bodyPart: string) {
  const day = new Date(Date.UTC(2020, 0, 1) + rng.int(0, 364) * 86400000);
  const age = rng.int(25, 88);
  const birth = new Date(day.getTime() - (age * 365.25 + rng.int(1, 360)) * 86400000);
  const da = (d: Date): string => d.toISOString().slice(0, 10).replaceAll('-', '');
  const tm = `${String(rng.int(7, 19)).padStart(2, '0')}${String(rng.int(0, 59)).padStart(2, '0')}${String(rng.int(0, 59)).padStart(2, '0')}`;
  return {
    patient: { id: plan.id, name: `Synthetic^${plan.id}`, birthDate: da(birth), sex: rng.next() < 0.5 ? ('F' as const) : ('M' as const), age: `${String(age).padStart(3, '0')}Y` },
    study: { instanceUid: uidFromKey(`${key}/study`), date: da(day), time: tm, id: plan.id.slice(-8), description, accession: '' },
    series: { instanceUid: uidFromKey(`${key}/series`), number: 1, description, bodyPart },
    frameOfReferenceUid: uidFromKey(`${key}/frame-of-reference`),
    equipment: { manufacturer: sig.manufacturer, model: sig.model, institution: `Synthetic Hospital ${sig.centre}` },
  };
}

/** A synthetic CT series: the scanner's stored values and rescale, geometry, study metadata and display window. */
function ctSeries(sc: ReturnType<typeof scanCt>, dims: { slices: number; rows: number; columns: number }, px: number, T: number, origin: [number, number, number], meta: ReturnType<typeof studyMeta>, sig: CentreSignature, window: { center: number; width: number }) {
  return {
    format: 'dicom' as const,
    spec: { modality: 'CT' as const, ...dims, stored: sc.stored, rescaleSlope: sc.slope, rescaleIntercept: sc.intercept, pixelSpacing: [px, px] as [number, number], sliceThickness: T, sliceSpacing: T, origin, ...meta, ct: { kvp: sig.ct.kvp, kernel: sig.ct.kernel }, window },
  };
}

export function synthesisePatient(plan: PatientPlan, sig: CentreSignature, opts: SynthOptions): SynthPatient {
  const rng = new SynthRng(plan.seed);
  const size = opts.size;
  const key = `unbox-synth/${opts.seed}/${plan.centre}/${plan.id}`;
  if (plan.kind === 'chest-ct') {
    const S = sig.ct.chestSlices;
    const T = r2(opts.chestCoverageMm / S);
    const px = sig.ct.chestFov / size;
    const ph = chestPhantom(rng, { size, slices: S, pixelSpacing: px, sliceThickness: T, label: plan.label ?? 'Normal', severity: plan.severity ?? null });
    const dims = { slices: S, rows: size, columns: size };
    const sc = scanCt(rng, ph.hu, dims, sig.ct);
    const origin: [number, number, number] = [-((size - 1) / 2) * px, -((size - 1) / 2) * px, -Math.round(rng.uniform(150, 300))];
    const meta = studyMeta(rng, key, plan, sig, 'CT CHEST (synthetic)', 'CHEST');
    let lesionVoxels = 0;
    for (let i = 0; i < ph.lesion.length; i++) if (ph.lesion[i]) lesionVoxels++;
    return {
      plan,
      modality: 'CT',
      sliceThickness: T,
      dims,
      values: sc.values,
      image: ctSeries(sc, dims, px, T, origin, meta, sig, { center: -600, width: 1500 }),
      mask: { data: ph.lesion, dims: [size, size, S], affine: lpsToRasAffine(axialLpsAffine({ row: px, column: px, slice: T }, origin)), intentCode: NIFTI_INTENT_LABEL, description: 'lesions: 1 ground-glass, 2 consolidation' },
      chest: { lesionType: ph.lesionType, lesionSlices: ph.lesionSlices, lesionVoxels },
    };
  }
  const ct = plan.kind === 'brain-ct';
  const thin = plan.thickness === 'thin';
  const T = thin ? sig.brain.thinMm : ct ? sig.brain.thickCtMm : sig.brain.thickMrMm;
  const S = Math.max(3, Math.round((sig.brain.coverageMm * opts.brainCoverage) / T));
  // fine planes ~1 mm apart for thick slices; 3 per thin slice so label votes rarely tie
  const K = thin ? 3 : Math.max(5, Math.ceil(T));
  const px = (ct ? sig.ct.headFov : sig.mr.fov) / size;
  const brainClass = plan.brainClass ?? 'normal';
  const ph = brainPhantom(rng, { size, pixelSpacing: px, sliceThickness: T, slices: S, subSlices: K, contrast: ct ? 'CT' : sig.mr.weighting, brainClass });
  const dims = { slices: S, rows: size, columns: size };
  const origin: [number, number, number] = [-((size - 1) / 2) * px, -((size - 1) / 2) * px, r2(ph.z0)];
  const ras = lpsToRasAffine(axialLpsAffine({ row: px, column: px, slice: T }, origin));
  const mask: NiftiSpec = { data: ph.labels, dims: [size, size, S], affine: ras, intentCode: NIFTI_INTENT_LABEL, description: 'ventricles: 1 L lateral, 2 R lateral, 3 third, 4 fourth' };
  const brain = { brainClass, ventricleScale: ph.ventricleScale, ventricleVoxels: ph.ventricleVoxels, voxelMl: (px * px * T) / 1000 };
  if (ct) {
    // quantum noise sd grows as 1/sqrt(slice thickness) (capped at twice the 5 mm level)
    const noise = sig.ct.headNoiseSigma * Math.min(2, Math.sqrt(5 / T));
    const sc = scanCt(rng, ph.signal, dims, { ...sig.ct, noiseSigma: noise });
    const meta = studyMeta(rng, key, plan, sig, `CT HEAD ${thin ? 'thin' : 'thick'} (synthetic)`, 'HEAD');
    return {
      plan,
      modality: 'CT',
      sliceThickness: T,
      dims,
      values: sc.values,
      image: ctSeries(sc, dims, px, T, origin, meta, sig, { center: 40, width: 80 }),
      mask,
      brain,
    };
  }
  const sc = scanMr(rng, ph.signal, dims, px, origin[2], T, sig.mr);
  return {
    plan,
    modality: 'MR',
    sliceThickness: T,
    dims,
    values: sc.values,
    image: { format: 'nifti', spec: { data: sc.stored, dims: [size, size, S], affine: ras, sclSlope: sc.slope, sclInter: sc.intercept, description: `MR ${sig.mr.weighting} ${sig.mr.fieldStrength}T head (synthetic)` } },
    mask,
    brain,
  };
}
