/**
 * In-memory datasets the trainers take (the data layer turns manifests and volumes into these):
 * preprocessed square slices, NHWC, one Float32Array per patient or image.
 */
export interface PatientSlices {
  id: string;
  centre?: string;
  /** patient label: 1 positive (e.g. COVID-19), 0 negative */
  label: 0 | 1;
  /** slices × size × size × channels, slices in anatomical order */
  data: Float32Array;
  slices: number;
  size: number;
  channels: number;
  /** per-slice ground truth for image-level metrics where known; else the patient label is copied */
  sliceLabels?: (0 | 1)[];
}

export interface SegImage {
  id: string;
  centre?: string;
  /** 'CT' | 'MRI' (or 'MR') */
  modality: string;
  thickness: 'thick' | 'thin';
  /** size × size × channels */
  data: Float32Array;
  size: number;
  channels: number;
  /** size × size class indices (0 background, 1..4 ventricles); absent for unlabelled thin slices */
  mask?: Uint8Array | Int32Array;
}

export function checkPatients(ps: PatientSlices[], size: number, channels: number): void {
  if (ps.length === 0) throw new Error('classifier dataset is empty');
  for (const p of ps) {
    const where = `patient ${p.id}`;
    if (p.size !== size || p.channels !== channels) throw new Error(`${where}: slices are ${p.size}×${p.size}×${p.channels}, the model takes ${size}×${size}×${channels}`);
    if (p.slices < 1 || p.data.length !== p.slices * size * size * channels) throw new Error(`${where}: data has ${p.data.length} values, expected ${p.slices}×${size}×${size}×${channels}`);
    if (p.label !== 0 && p.label !== 1) throw new Error(`${where}: label is ${String(p.label)}, expected 0 or 1`);
    if (p.sliceLabels && p.sliceLabels.length !== p.slices) throw new Error(`${where}: ${p.sliceLabels.length} slice labels for ${p.slices} slices`);
  }
}

export function checkImages(xs: SegImage[], size: number, channels: number, needMask: boolean): void {
  for (const im of xs) {
    const where = `image ${im.id}`;
    if (im.size !== size || im.channels !== channels || im.data.length !== size * size * channels) throw new Error(`${where}: expected ${size}×${size}×${channels} values, got ${im.data.length} (${im.size}², ${im.channels} ch)`);
    if (needMask && (!im.mask || im.mask.length !== size * size)) throw new Error(`${where}: a ${size}×${size} mask is required`);
  }
}
