/**
 * explanation.json (notes/result-formats.md, "Explanations"): the contract the dashboard and the
 * site API read. The documented fields (patient, probability, sections[{slices, logit}],
 * slices[{index, score, cam_png, boxes, lime{png, weights, intercept}, shap{png, values,
 * base_value, fx}}]) are kept as named; the rest are additions. Parsed back with zod in tests and
 * by the server's cache, so a stored file that drifted from the schema is recomputed, not served.
 * Written by the site agent (`unbox-site explain`, `serve`), drawn by the dashboard's site view and
 * aggregated by tools (experiments/explain), so the schema lives here, once.
 */
import { z } from 'zod';

const Box = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]);

export const ExplainParams = z.object({
  /** 'top' (the `top` highest slice scores), 'all', or slice indices */
  slices: z.union([z.literal('top'), z.literal('all'), z.array(z.number().int().min(0)).min(1)]),
  top: z.number().int().min(1).default(3),
  /** SLIC superpixels per slice (approximate) */
  segments: z.number().int().min(2).max(250).default(50),
  limeSamples: z.number().int().min(2).default(1000),
  /** null: Kernel SHAP's default budget 2M + 2048 */
  shapSamples: z.number().int().min(2).nullable().default(null),
  fill: z.union([z.enum(['mean', 'blur', 'zero']), z.object({ value: z.number() })]),
  seed: z.number().int().min(0).default(0),
  batchSize: z.number().int().min(1).default(32),
  boxMinArea: z.number().int().min(1).default(16),
});
export type ExplainParams = z.infer<typeof ExplainParams>;

/** lesion superpixel = one holding any lesion pixel; chance = their fraction (the level top_is_lesion is compared with) */
const Ranking = z.object({ top_is_lesion: z.boolean(), lesion_superpixels: z.number().int(), chance: z.number(), rank_auc: z.number().nullable() });

export const ClassifySliceJson = z.object({
  index: z.number().int().min(0),
  /** s_c of the positive class (Eq. 3), a logit */
  score: z.number(),
  probability: z.number(),
  cam_png: z.string(),
  boxes: z.array(Box),
  box_areas: z.array(z.number().int()),
  box_peaks: z.array(z.number()),
  superpixels: z.object({ count: z.number().int().min(1), png: z.string().optional() }),
  lime: z.object({
    png: z.string(), weights: z.array(z.number()), intercept: z.number(), score: z.number(), local_pred: z.number(), fx: z.number(), num_samples: z.number().int(),
  }),
  shap: z.object({ png: z.string(), values: z.array(z.number()), base_value: z.number(), fx: z.number(), nsamples: z.number().int(), exact: z.boolean() }),
  lesion: z.object({
    /** pointing game within `pointing_tolerance` px (15 px at 224 px, scaled), and exact (tolerance 0) */
    cam_pointing_hit: z.boolean(), pointing_chance: z.number(), pointing_tolerance: z.number(), cam_pointing_hit_exact: z.boolean(), cam_peak: z.tuple([z.number().int(), z.number().int()]), pointing_chance_exact: z.number(), box_mean_iou: z.number(), lime: Ranking, shap: Ranking }).optional(),
});
export type ClassifySliceJson = z.infer<typeof ClassifySliceJson>;

export const QualityJson = z.object({
  lesion_slices: z.number().int(),
  cam_pointing_game: z.number().nullable(),
  pointing_chance: z.number().nullable(),
  cam_box_mean_iou: z.number().nullable(),
  lime_top_is_lesion: z.number().nullable(),
  shap_top_is_lesion: z.number().nullable(),
  top_is_lesion_chance: z.number().nullable(),
  lime_rank_auc: z.number().nullable(),
  shap_rank_auc: z.number().nullable(),
});
export type QualityJson = z.infer<typeof QualityJson>;

const Provenance = {
  backend: z.string(),
  seed: z.number().int(),
  config: z.unknown(),
  versions: z.record(z.string(), z.unknown()),
  created: z.string(),
  model: z.object({
    dir: z.string(),
    hash: z.string(),
    step: z.number().int(),
    /** set when every weighted layer was re-drawn with this seed (model-randomisation sanity check, Adebayo et al. 2018) */
    randomised_weights_seed: z.number().int().optional(),
  }),
  params: ExplainParams,
};

export const ClassifyExplanationJson = z.object({
  task: z.literal('classify'),
  patient: z.string(),
  centre: z.string(),
  mode: z.string(),
  probability: z.number(),
  sections: z.array(z.object({ slices: z.tuple([z.number().int(), z.number().int()]), logit: z.number(), probability: z.number() })),
  slice_scores: z.array(z.number()),
  /** A_conv's H′×W′ (the CAM's native grid before upsampling) */
  cam_grid: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
  slices: z.array(ClassifySliceJson),
  quality: QualityJson.optional(),
  ...Provenance,
});
export type ClassifyExplanationJson = z.infer<typeof ClassifyExplanationJson>;

export const SegmentSliceJson = z.object({
  index: z.number().int().min(0),
  /** per ventricle class 1..C−1: overlay PNG, predicted pixels, Dice against the label map when there is one */
  classes: z.array(z.object({ class: z.number().int().min(1), png: z.string(), pixels: z.number().int(), dice: z.number().nullable() })),
  overlay_png: z.string(),
});

export const SegmentExplanationJson = z.object({
  task: z.literal('segment'),
  patient: z.string(),
  centre: z.string(),
  slices: z.array(SegmentSliceJson),
  dice_map: z.object({
    png: z.string(),
    samples: z.number().int(),
    patient_samples: z.array(z.number().int()),
    coords: z.array(z.tuple([z.number(), z.number()])),
    dice: z.array(z.number()),
    grid_size: z.number().int(),
    extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    explained_variance_ratio: z.tuple([z.number(), z.number()]),
    rmse: z.number(),
    r2: z.number(),
  }).nullable(),
  ...Provenance,
});
export type SegmentExplanationJson = z.infer<typeof SegmentExplanationJson>;

export const ExplanationJson = z.discriminatedUnion('task', [ClassifyExplanationJson, SegmentExplanationJson]);
export type ExplanationJson = z.infer<typeof ExplanationJson>;
