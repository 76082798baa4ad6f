/**
 * The dashboard's wire shapes (issue #6): sign-in at the coordinator (consortium admin) and at a
 * site agent (that site's clinicians), the coordinator's live `/dashboard` socket.io events, and
 * the site API's viewer routes. Browser-safe: zod only, no Node built-ins.
 */
import { z } from 'zod';
import { boundedArray, RunId, SiteId, Text, Timestamp } from './common.js';
import { LIMITS } from './limits.js';

/** Account names: short, printable, case-insensitive (stored lower-case). */
export const Username = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'too long (max 64 characters)')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'only letters, digits and . _ @ - are allowed (starting with a letter or digit)');

/** A password as typed; the server keeps only its scrypt hash. */
export const Password = z.string().min(8, 'must be at least 8 characters').max(1024, 'too long (max 1024 characters)');

export const DashboardRole = z.enum(['admin', 'clinician']);

/** `POST /api/auth/login` (coordinator) and `POST /auth/login` (site agent). */
export const LoginRequest = z.strictObject({ username: Username, password: z.string().min(1, 'must not be empty').max(1024, 'too long (max 1024 characters)') });

/** Session tokens: `<base64url payload>.<base64url HMAC-SHA256>`. */
export const SessionToken = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/, 'not a session token');

export const CoordinatorLoginResponse = z.strictObject({ token: SessionToken, role: z.literal('admin'), username: Username, expires_at: Timestamp });
export const SiteLoginResponse = z.strictObject({ token: SessionToken, role: z.literal('clinician'), username: Username, site: SiteId, expires_at: Timestamp });

/** Every refusal of the dashboard routes (the coordinator adds its `code` and `message` too). */
export const ErrorBody = z.object({ error: z.string() });

/** A user as `user list` and the CLI print it (never a hash). */
export const DashboardUser = z.strictObject({ username: Username, role: DashboardRole, created_at: Timestamp });

// ---- coordinator: socket.io namespace /dashboard (handshake auth: {token}) ---------------------

/** A run as GET /api/runs lists it. */
export const DashboardRun = z.strictObject({
  run_id: RunId,
  name: z.string().nullable(),
  status: z.enum(['running', 'paused', 'stopped', 'done', 'failed']),
  strategy: z.string(),
  completed_rounds: z.number().int().nonnegative(),
  rounds: z.number().int().positive(),
  model_hash: z.string().nullable(),
  failure: z.string().nullable(),
});

/** One round attempt as GET /api/runs/:id lists it. */
export const DashboardRound = z.strictObject({
  round: z.number().int().positive(),
  attempt: z.number().int().positive(),
  status: z.enum(['running', 'done', 'failed', 'interrupted']),
  phase: z.string(),
  secure: z.boolean(),
  model_hash_in: z.string(),
  model_hash_out: z.string().nullable(),
  failure: z.string().nullable(),
  started_at: Timestamp,
  ended_at: Timestamp.nullable(),
  cohort: boundedArray(SiteId, LIMITS.sites),
  evaluators: boundedArray(SiteId, LIMITS.sites),
  dropouts: boundedArray(z.strictObject({ site: SiteId, stage: z.string(), reason: Text, at: Timestamp }), LIMITS.sites),
});

/** Event `run`: a run was created or changed status / completed a round. */
export const DashboardRunEvent = z.strictObject({ run: DashboardRun });
/** Event `round`: a round attempt began, changed phase, cohort, dropouts or metrics, or ended. */
export const DashboardRoundEvent = z.strictObject({ run_id: RunId, round: DashboardRound });

// ---- site agent ---------------------------------------------------------------------------------

export const SiteTask = z.enum(['classify', 'segment']);

/** Overlay colours of /patients/:id/segmentation/:i.png, one per ventricle class. */
export const SegmentationLegendEntry = z.strictObject({
  class: z.number().int().positive(),
  name: z.string(),
  /** [r, g, b, a], 0..255 */
  rgba: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
});

/** `GET /site`. */
export const SiteDescription = z.strictObject({
  site: SiteId,
  tasks: z.array(SiteTask).min(1).max(2),
  models: z.record(z.string(), z.strictObject({ hash: z.string(), step: z.number().int().nonnegative(), input_size: z.number().int().positive() })),
  /** present when a segmenter is served */
  segmentation_legend: z.array(SegmentationLegendEntry).optional(),
  /** window/level presets (HU) for CT slices */
  ct_windows: z.record(z.string(), z.strictObject({ window: z.number().positive(), level: z.number() })),
});

/** One row of a site agent's `GET /patients`: the patient's probability, or why it has none. */
export const PatientScore = z.strictObject({
  id: z.string().min(1),
  centre: z.string(),
  split: z.string(),
  label: z.string().nullable(),
  score: z.number().min(0).max(1).nullable(),
  error: z.string().optional(),
});
export type PatientScore = z.infer<typeof PatientScore>;

/** `GET /patients/:id/volume`. */
export const VolumeInfo = z.strictObject({
  patient: z.string(),
  centre: z.string(),
  task: SiteTask,
  modality: z.string().nullable(),
  /** slice count of /patients/:id/slices/:i.png (every scan of the patient, in the API's order) */
  slices: z.number().int().nonnegative(),
  /** native size of the first scan (the size of a windowed slice PNG) */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** size of the model-view slice PNG and of the overlays */
  model_size: z.number().int().positive(),
  spacing_mm: z.tuple([z.number(), z.number(), z.number()]),
  slice_thickness_mm: z.number().nullable(),
  /** HU range of the scan (CT only) */
  hu_range: z.tuple([z.number(), z.number()]).nullable(),
  scans: z.array(z.strictObject({ slices: z.number().int().nonnegative(), rows: z.number().int(), columns: z.number().int(), labelled: z.boolean() })),
});

/** `GET /patients/:id/latent-dice`: the site's latent Dice map (paper 3.3.3) and where this patient lies on it. */
export const LatentDice = z.strictObject({
  patient: z.string(),
  model: z.strictObject({ hash: z.string(), step: z.number().int() }),
  grid_size: z.number().int().positive(),
  /** grid_size² predicted Dice, row-major with row 0 at the lowest PC2 */
  grid: z.array(z.number()),
  /** [PC1 min, PC1 max, PC2 min, PC2 max] covered by the grid */
  extent: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  samples: z.array(z.strictObject({ x: z.number(), y: z.number(), dice: z.number(), patient: z.string(), mine: z.boolean() })),
  /** this patient's slices projected on the map, with the map's Dice prediction there and the measured Dice when labelled */
  points: z.array(z.strictObject({ slice: z.number().int().nonnegative(), x: z.number(), y: z.number(), predicted_dice: z.number(), dice: z.number().nullable() })),
  explained_variance_ratio: z.tuple([z.number(), z.number()]),
  rmse: z.number(),
  r2: z.number(),
});

export type DashboardRole = z.infer<typeof DashboardRole>;
export type LoginRequest = z.infer<typeof LoginRequest>;
export type CoordinatorLoginResponse = z.infer<typeof CoordinatorLoginResponse>;
export type SiteLoginResponse = z.infer<typeof SiteLoginResponse>;
export type DashboardUser = z.infer<typeof DashboardUser>;
export type DashboardRun = z.infer<typeof DashboardRun>;
export type DashboardRound = z.infer<typeof DashboardRound>;
export type DashboardRunEvent = z.infer<typeof DashboardRunEvent>;
export type DashboardRoundEvent = z.infer<typeof DashboardRoundEvent>;
export type SiteDescription = z.infer<typeof SiteDescription>;
export type VolumeInfo = z.infer<typeof VolumeInfo>;
export type LatentDice = z.infer<typeof LatentDice>;
export type SegmentationLegendEntry = z.infer<typeof SegmentationLegendEntry>;
