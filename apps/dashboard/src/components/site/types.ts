/**
 * What the site view reads from its site agent (through the dashboard's relay): the wire types of
 * @unbox/protocol where it has them; explanation.json as the site agent's explain/schema.ts
 * defines it (an app's schema, so mirrored here: only the fields the view draws).
 */
import type { LatentDice as ProtocolLatentDice, PatientScore, SiteDescription, VolumeInfo as ProtocolVolumeInfo } from '@unbox/protocol';

/** GET /patients */
export type PatientRow = PatientScore;

/** GET /site */
export type SiteInfo = SiteDescription;
/** GET /patients/:id/volume */
export type VolumeInfo = ProtocolVolumeInfo;

export interface ClassifySlice {
  index: number;
  score: number;
  probability: number;
  cam_png: string;
  boxes: [number, number, number, number][];
  superpixels: { count: number; png?: string };
  lime: { png: string; weights: number[]; intercept: number; score: number; local_pred: number; fx: number; num_samples: number };
  shap: { png: string; values: number[]; base_value: number; fx: number; nsamples: number; exact: boolean };
}

export interface ClassifyExplanation {
  task: 'classify';
  patient: string;
  probability: number;
  sections: { slices: [number, number]; logit: number; probability: number }[];
  slice_scores: number[];
  cam_grid: [number, number];
  slices: ClassifySlice[];
  params: Record<string, unknown>;
  model: { hash: string; step: number };
}

export interface SegmentExplanation {
  task: 'segment';
  patient: string;
  slices: { index: number; classes: { class: number; png: string; pixels: number; dice: number | null }[]; overlay_png: string }[];
  dice_map: unknown;
  model: { hash: string; step: number };
}

export type Explanation = ClassifyExplanation | SegmentExplanation;

export interface ExplainProgress {
  done: number;
  total: number;
  what: string;
}

/** GET /patients/:id/latent-dice */
export type LatentDice = ProtocolLatentDice;
