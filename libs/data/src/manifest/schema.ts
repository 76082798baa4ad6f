import { z } from 'zod';

/**
 * A site manifest: one row per scan a site contributes. Documented in docs/manifest.md.
 * JSON: `{ "version": 1, "centre": "A", "entries": [ ...rows ] }`; CSV: a header row with the
 * same column names (`paths` separated by `;`). Relative paths resolve against the manifest's folder.
 */
export const Split = z.enum(['train', 'val', 'test']);
export const Modality = z.enum(['CT', 'MR']);
export const Task = z.enum(['classify', 'segment']);
/** Patient-level classification labels (CC-CCII classes); segmentation rows carry a mask instead. */
export const ClassLabel = z.enum(['NCP', 'CP', 'Normal']);

export const ManifestEntry = z
  .object({
    patient: z.string().min(1, 'patient id is empty'),
    task: Task,
    /** classify: patient-level label (optional: unlabelled scans are allowed, e.g. for inference). */
    label: ClassLabel.optional(),
    modality: Modality,
    /** nominal slice thickness in mm. */
    slice_thickness: z.number().positive('slice thickness must be > 0 mm'),
    split: Split,
    /** a DICOM series folder, a single file (DICOM/NIfTI), or a folder of PNG/JPEG slices. */
    paths: z.array(z.string().min(1)).min(1, 'at least one path is required'),
    /** segment: label map (same grid as the image) with 0 = background, 1..4 = ventricles; only thick slices have one. */
    mask: z.string().min(1).optional(),
    /** expected in-plane size [rows, columns]; `data check` reports a mismatch. */
    dims: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  })
  .strict()
  // Fields that belong to the other task are mistakes (a classify label on a segmentation scan would be ignored silently).
  .superRefine((e, ctx) => {
    if (e.task === 'segment' && e.label !== undefined) ctx.addIssue({ code: 'custom', path: ['label'], message: 'only classify entries have a label; segmentation entries use "mask"' });
    if (e.task === 'classify' && e.mask !== undefined) ctx.addIssue({ code: 'custom', path: ['mask'], message: 'only segment entries have a mask' });
  });

export const Manifest = z
  .object({
    version: z.literal(1),
    centre: z.string().min(1),
    entries: z.array(z.unknown()),
  })
  .strict();

export type Split = z.infer<typeof Split>;
export type Modality = z.infer<typeof Modality>;
export type Task = z.infer<typeof Task>;
export type ClassLabel = z.infer<typeof ClassLabel>;
export type ManifestEntry = z.infer<typeof ManifestEntry>;

/** Binary target of the paper's classifier: COVID-19 (NCP) positive vs. not (CP, Normal). */
export function isCovidPositive(label: ClassLabel): boolean {
  return label === 'NCP';
}
