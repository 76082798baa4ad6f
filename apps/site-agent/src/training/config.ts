/**
 * The training configuration of `unbox-site train --config <c.json>`: run settings (seed, steps,
 * batches, checkpoints) plus the model config of @unbox/models. Validated with zod; every
 * problem is reported with the file, the field path and the reason. Unknown fields are errors, so
 * a typo ("lerningRate") is caught instead of silently ignored.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ClassifierConfigSchema, PatientSampling, SegmenterConfigSchema } from '@unbox/models';
import { Split } from '@unbox/data';
import { describeIssues } from '@unbox/protocol';
import { UserError } from '../errors.js';

export const TaskName = z.enum(['classify', 'segment']);
export type TaskName = z.infer<typeof TaskName>;

/** CPU-sized defaults (paper 3.4 hyper-parameters, smaller network and input): a run of minutes. */
export const CPU_BACKBONE = { depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, stem: 'imagenet' } as const;

const common = {
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  steps: z.number().int().min(1).default(200),
  /** save a checkpoint every n steps (and always after the last). */
  checkpointEvery: z.number().int().min(1).default(25),
  /** also keep every checkpoint as <out>/checkpoints/step-<n>/ (learning curves, choosing a step); else only the latest */
  keepCheckpoints: z.boolean().default(false),
  /** one augmentation draw per training volume (crop/flip or flip/brightness), seeded. */
  augment: z.boolean().default(true),
  /** splits evaluated at the end of training. */
  evalSplits: z.array(Split).min(1).default(['train', 'val', 'test']),
};

export const ClassifyTrainConfig = z
  .object({
    task: z.literal('classify').default('classify'),
    ...common,
    patientsPerBatch: z.number().int().min(1).default(2),
    /** consecutive slices per patient per step (SIM needs consecutive slices). */
    maxSlicesPerPatient: z.number().int().min(1).default(16),
    /** area fraction range of the random crop (paper 4.1.2: 0.9–1; lower also zooms, as a smaller field of view does). */
    cropScale: z.tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)]).refine(([lo, hi]) => lo <= hi, 'must be [lo, hi] with lo <= hi').default([0.9, 1]),
    /** scanner-signature jitter per scan and step (calibration ±8 %, ±50 HU, noise 0–30 HU; not in the paper). */
    scannerJitter: z.boolean().default(false),
    /**
     * how each step's patients are drawn: 'uniform', or 'centre-balanced' (pairs of one NCP and one
     * non-NCP patient of one centre, so a cue that only identifies the centre cannot lower the loss).
     */
    sampling: PatientSampling.default('uniform'),
    model: ClassifierConfigSchema.strict().default(ClassifierConfigSchema.parse({ backbone: CPU_BACKBONE })),
  })
  .strict();

export const SegmentTrainConfig = z
  .object({
    task: z.literal('segment').default('segment'),
    ...common,
    /** paper 3.4: 8 */
    batchSize: z.number().int().min(1).default(8),
    model: SegmenterConfigSchema.strict().default(SegmenterConfigSchema.parse({ encoder: CPU_BACKBONE })),
  })
  .strict();

export type ClassifyTrainConfig = z.infer<typeof ClassifyTrainConfig>;
export type SegmentTrainConfig = z.infer<typeof SegmentTrainConfig>;
export type TrainConfig = ClassifyTrainConfig | SegmentTrainConfig;

/** Validates a config object for a task; `where` names its source in the error. */
export function parseTrainConfig(task: TaskName, raw: unknown, where = 'config'): TrainConfig {
  const schema = task === 'classify' ? ClassifyTrainConfig : SegmentTrainConfig;
  const r = schema.safeParse(raw ?? {});
  if (!r.success) throw new UserError(`${where}: invalid ${task} config: ${describeIssues(r.error.issues, Infinity, '(the whole config)')}`);
  return r.data;
}

/** Reads and validates `--config`; no file gives the defaults. */
export async function loadTrainConfig(task: TaskName, path?: string): Promise<TrainConfig> {
  if (!path) return parseTrainConfig(task, {});
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read the config (${code === 'ENOENT' ? 'file not found' : (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: the config is not valid JSON (${(e as Error).message})`);
  }
  return parseTrainConfig(task, json, path);
}
