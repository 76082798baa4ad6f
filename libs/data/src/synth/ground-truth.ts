/**
 * The ground-truth index written beside each centre's manifest (`ground-truth.json`). It points at
 * what training must never see: chest lesion masks (for judging explanations) and the label maps
 * of thin-slice head scans (for thin-slice Dice). Paths are relative to the index's folder.
 */
import { z } from 'zod';
import { ClassLabel, Modality, Split } from '../manifest/schema.js';

export const ChestTruth = z
  .object({
    patient: z.string().min(1),
    label: ClassLabel,
    severity: z.enum(['mild', 'severe']).nullable(),
    lesion_type: z.enum(['ground-glass', 'consolidation']).nullable(),
    /** first and last slice index (0-based, slice 0 = lowest z) holding lesion voxels */
    lesion_slices: z.tuple([z.number().int().min(0), z.number().int().min(0)]).nullable(),
    lesion_voxels: z.number().int().min(0),
    /** NIfTI uint8 mask on the image grid: 0 none, 1 ground-glass, 2 consolidation */
    mask: z.string().min(1),
    split: Split,
  })
  .strict();

export const BrainTruth = z
  .object({
    patient: z.string().min(1),
    modality: Modality,
    class: z.enum(['normal', 'atrophy', 'hydrocephalus']),
    thickness: z.enum(['thin', 'thick']),
    slice_thickness: z.number().positive(),
    ventricle_scale: z.number().positive(),
    /** voxels and millilitres per label 1..4 (left lateral, right lateral, third, fourth) */
    ventricle_voxels: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    ventricle_ml: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    /** NIfTI uint8 label map on the image grid; for thick scans the same file the manifest names */
    mask: z.string().min(1),
    in_manifest: z.boolean(),
    split: Split,
  })
  .strict();

export const GroundTruthIndex = z
  .object({
    version: z.literal(1),
    centre: z.string().min(1),
    seed: z.number().int(),
    chest: z.array(ChestTruth),
    brain: z.array(BrainTruth),
  })
  .strict();

export type ChestTruth = z.infer<typeof ChestTruth>;
export type BrainTruth = z.infer<typeof BrainTruth>;
export type GroundTruthIndex = z.infer<typeof GroundTruthIndex>;
