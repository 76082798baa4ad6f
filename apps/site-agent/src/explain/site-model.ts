/**
 * The saved model an explanation reads: the checkpoint of `unbox-site train --out` (tfjs layers
 * model + state.json with the validated training config) and a content hash of its weights and
 * topology, which keys cached explanations (a retrained model never serves stale ones).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadCheckpoint, type BackendInfo } from '@unbox/models';
import { UserError } from '../errors.js';
import { ensureBackend } from '../training/backend.js';
import { readSavedState } from '../training/checkpoint-state.js';
import type { TrainConfig } from '../training/config.js';

export interface SiteModel {
  model: tf.LayersModel;
  config: TrainConfig;
  dir: string;
  step: number;
  /** sha256 of model.json and weights.bin (hex, first 16 characters) */
  hash: string;
  backend: BackendInfo;
}

export async function modelHash(checkpointDir: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) {
    const path = join(checkpointDir, 'model', f);
    try {
      h.update(f).update(await readFile(path));
    } catch (e) {
      throw new UserError(`${path}: cannot read the saved model (${(e as Error).message})`);
    }
  }
  return h.digest('hex').slice(0, 16);
}

export async function loadSiteModel(modelDir: string): Promise<SiteModel> {
  const backend = await ensureBackend();
  const saved = await readSavedState(modelDir);
  const hash = await modelHash(saved.dir);
  const { model } = await loadCheckpoint(saved.dir).catch((e: Error) => {
    throw new UserError(`cannot load the model in ${saved.dir}: ${e.message}`);
  });
  return { model, config: saved.config, dir: resolve(saved.dir), step: saved.step, hash, backend };
}
