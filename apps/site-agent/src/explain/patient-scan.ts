/**
 * A patient's scans from the site's manifests, preprocessed exactly as `unbox-site eval` does
 * (classification pipeline of paper 4.1.2 in evaluation mode: lung window, whole slice, bilinear
 * resize, no flip; cut to the lungs first when the model's config says lungCrop), kept
 * single-channel for display. Unlike training, an unlabelled patient can be
 * explained. Lesion masks come only from a ground-truth index (synthetic consortium) and only
 * when the patient has one scan on the mask's grid; they are cut to the same lung box as the image.
 */
import { cropMask, groundTruthPath, loadGroundTruthIndex, preprocessClassifyVolume, readVolume, resizeNearestMask, sliceMask, Split, type CropBox, type Volume } from '@unbox/data';
import { squareLungRoi } from '../training/classify-views.js';
import { UserError } from '../errors.js';
import { selectRows, type ManifestRow } from '../training/manifests.js';
import type { TaskName } from '../training/config.js';
import type { PatientScan } from './classify.js';

/** Rows of the manifests for a task, grouped per patient id (first centre that has the id wins). */
export async function patientRows(manifests: string[], task: TaskName): Promise<Map<string, ManifestRow[]>> {
  const sel = await selectRows(manifests, task, Split.options);
  const out = new Map<string, ManifestRow[]>();
  for (const r of sel.rows) {
    const id = r.entry.patient;
    const g = out.get(id);
    if (!g) out.set(id, [r]);
    else if (g[0].centre === r.centre) g.push(r);
  }
  return out;
}

async function read(path: string): Promise<Volume> {
  try {
    return await readVolume(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read the scan (${(e as Error).message})`);
  }
}

/** centre → patient → absolute path of the chest lesion mask, from ground-truth.json indexes. */
export type LesionIndex = Map<string, Map<string, string>>;

export async function loadLesionIndex(paths: readonly string[]): Promise<LesionIndex> {
  const out: LesionIndex = new Map();
  for (const p of paths) {
    const index = await loadGroundTruthIndex(p);
    const m = out.get(index.centre) ?? new Map<string, string>();
    for (const c of index.chest) m.set(c.patient, groundTruthPath(index, c.mask));
    out.set(index.centre, m);
  }
  return out;
}

/** The classifier's input as its config fixes it: size in pixels and whether scans are cut to the lungs first. */
export interface ClassifyScanInput {
  size: number;
  lungCrop?: boolean;
}

export async function loadClassifyScan(rows: ManifestRow[], input: ClassifyScanInput, lesions?: LesionIndex): Promise<PatientScan> {
  const { size } = input;
  const { centre, entry } = rows[0];
  const parts: Float32Array[] = [];
  const volumes: Volume[] = [];
  const rois: (CropBox | undefined)[] = [];
  for (const r of rows)
    for (const path of r.entry.paths) {
      const v = await read(path);
      if (v.channels !== 1) throw new UserError(`${path}: ${v.channels}-channel image; the classifier reads single-channel CT in HU`);
      const roi = input.lungCrop ? squareLungRoi(v) : undefined;
      parts.push(preprocessClassifyVolume(v, null, { size, ...(roi ? { roi } : {}) }));
      volumes.push(v);
      rois.push(roi);
    }
  const slices = volumes.reduce((a, v) => a + v.slices, 0);
  if (slices === 0) throw new UserError(`patient ${entry.patient}: no slices in ${rows.map((r) => r.manifest).join(', ')}`);
  const grey = new Float32Array(slices * size * size);
  let at = 0;
  for (const p of parts) {
    grey.set(p, at);
    at += p.length;
  }
  const scan: PatientScan = { id: entry.patient, centre, grey, slices, size, ...(input.lungCrop ? { rois: rois as CropBox[] } : {}) };
  const maskPath = lesions?.get(centre)?.get(entry.patient);
  if (maskPath && volumes.length === 1) {
    const m = await read(maskPath);
    const v = volumes[0];
    if (m.slices === v.slices && m.rows === v.rows && m.columns === v.columns) {
      const lesions = new Uint8Array(slices * size * size);
      const roi = rois[0];
      for (let s = 0; s < m.slices; s++) {
        const r = resizeNearestMask(roi ? cropMask(sliceMask(m, s), roi) : sliceMask(m, s), size, size);
        for (let p = 0; p < r.data.length; p++) lesions[s * size * size + p] = r.data[p] ? 1 : 0;
      }
      scan.lesions = lesions;
    }
  }
  return scan;
}
