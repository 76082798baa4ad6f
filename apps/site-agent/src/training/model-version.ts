/**
 * A global model version read from disk, for `unbox-site eval --weights`: either the coordinator's
 * tfjs export (`unbox-coordinator models export`: model.json + weights.bin) or one of its round
 * folders as stored (`<data>/checkpoints/<run>/round-<n>/`: manifest.json + weights.bin). Either
 * way the bytes are checked against the version's model hash, so a truncated copy or a weights.bin
 * from another version is refused instead of scored.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeParameters, type Tensor } from '@unbox/fl';
import { describeIssues, TensorManifest, tensorManifestOfTfjs, TfjsWeightsJson } from '@unbox/protocol';
import { ZodError } from 'zod';
import { UserError } from '../errors.js';

export interface ModelVersionFile {
  tensors: Tensor[];
  modelHash: string;
  format: 'tfjs' | 'checkpoint';
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not readable JSON (${(e as Error).message})`);
  }
}

export async function readModelVersion(dir: string): Promise<ModelVersionFile> {
  const tfjsPath = join(dir, 'model.json');
  const storedPath = join(dir, 'manifest.json');
  let manifest: TensorManifest;
  let paths: string[];
  let format: ModelVersionFile['format'];
  if (existsSync(tfjsPath)) {
    const parsed = TfjsWeightsJson.safeParse(await readJson(tfjsPath));
    if (!parsed.success) throw new UserError(`${tfjsPath}: not a model version exported by unbox-coordinator (${describeIssues(parsed.error.issues)})`);
    try {
      ({ manifest, paths } = tensorManifestOfTfjs(parsed.data));
    } catch (e) {
      throw new UserError(`${tfjsPath}: ${e instanceof ZodError ? describeIssues(e.issues) : (e as Error).message}`);
    }
    format = 'tfjs';
  } else if (existsSync(storedPath)) {
    const parsed = TensorManifest.safeParse(await readJson(storedPath));
    if (!parsed.success) throw new UserError(`${storedPath}: not a stored model version (${describeIssues(parsed.error.issues)})`);
    manifest = parsed.data;
    paths = ['weights.bin'];
    format = 'checkpoint';
  } else {
    throw new UserError(`${dir}: no model version here (expected model.json from "unbox-coordinator models export", or a coordinator round folder with manifest.json)`);
  }
  const parts: Buffer[] = [];
  for (const p of paths) {
    try {
      parts.push(await readFile(join(dir, p)));
    } catch (e) {
      throw new UserError(`${join(dir, p)}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message}`);
    }
  }
  try {
    return { tensors: decodeParameters(manifest, parts.length === 1 ? parts[0] : Buffer.concat(parts)), modelHash: manifest.model_hash, format };
  } catch (e) {
    throw new UserError(`${dir}: ${(e as Error).message}`);
  }
}
