/** What the site view reads from its site agent (through the dashboard's relay). */
export interface PatientRow {
  id: string;
  centre: string;
  split: string;
  label: string | null;
  score: number | null;
  error?: string;
}

export interface SiteInfo {
  site: string;
  tasks: ('classify' | 'segment')[];
  models?: Record<string, { hash: string; step: number; input_size: number }>;
  segmentation_legend?: { class: number; name: string; rgba: [number, number, number, number] }[];
  ct_windows?: Record<string, { window: number; level: number }>;
}

export interface VolumeInfo {
  patient: string;
  task: 'classify' | 'segment';
  modality: string | null;
  slices: number;
  width: number;
  height: number;
  model_size: number;
  hu_range: [number, number] | null;
}

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

export interface LatentDice {
  patient: string;
  grid_size: number;
  grid: number[];
  extent: [number, number, number, number];
  samples: { x: number; y: number; dice: number; patient: string; mine: boolean }[];
  points: { slice: number; x: number; y: number; predicted_dice: number; dice: number | null }[];
  explained_variance_ratio: [number, number];
  rmse: number;
  r2: number;
}
