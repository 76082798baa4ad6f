/**
 * What a training checkpoint records beside the tfjs model (state.json, written by
 * @unbox/models saveCheckpoint): the step reached and the full validated training config, so
 * `--resume` and `unbox-site eval` rebuild everything from the folder alone.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { parseTrainConfig, TaskName, type TrainConfig } from './config.js';

export interface SavedState {
  dir: string;
  step: number;
  config: TrainConfig;
}

/** The checkpoint folder of a train --out folder, or the folder itself when it is one. */
export function checkpointDirOf(dir: string): string {
  return existsSync(join(dir, 'state.json')) ? dir : join(dir, 'checkpoint');
}

export async function readSavedState(modelDir: string): Promise<SavedState> {
  const dir = checkpointDirOf(modelDir);
  const path = join(dir, 'state.json');
  let raw: { step?: unknown; config?: { task?: unknown } };
  try {
    raw = JSON.parse(await readFile(path, 'utf8')) as typeof raw;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT'
      ? `${modelDir}: no checkpoint here (neither state.json nor checkpoint/state.json); give the --out folder of "unbox-site train"`
      : `${path}: cannot read the checkpoint state (${(e as Error).message})`);
  }
  if (typeof raw.step !== 'number' || !Number.isInteger(raw.step) || raw.step < 0) throw new UserError(`${path}: field "step" must be a whole number`);
  const task = TaskName.safeParse(raw.config?.task);
  if (!task.success) throw new UserError(`${path}: field "config.task" must be classify or segment`);
  return { dir, step: raw.step, config: parseTrainConfig(task.data, raw.config, path) };
}

/** Settings that may change on --resume (how long to train, how often and which checkpoints to save, what to evaluate). */
const MAY_CHANGE = new Set(['steps', 'checkpointEvery', 'keepCheckpoints', 'evalSplits']);

/** The first setting that differs between the saved and the new config, or null. */
export function resumeConflict(saved: TrainConfig, next: TrainConfig): string | null {
  const keys = new Set([...Object.keys(saved), ...Object.keys(next)]);
  for (const k of keys) {
    if (MAY_CHANGE.has(k)) continue;
    const a = JSON.stringify((saved as Record<string, unknown>)[k]);
    const b = JSON.stringify((next as Record<string, unknown>)[k]);
    if (a !== b) return `${k} (checkpoint ${a}, config ${b})`;
  }
  return null;
}
