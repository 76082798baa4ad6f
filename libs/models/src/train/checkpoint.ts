/**
 * Training checkpoints: <dir>/model/{model.json,weights.bin} (tfjs layers format, loadable by
 * tf.loadLayersModel), <dir>/optimizer.{json,bin} (Adam moments and iteration count, in save
 * order) and <dir>/state.json (step, seed, config, backend, anything the trainer adds). A new
 * checkpoint is written beside the old one and swapped in by rename, so a crash keeps the last.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileIO } from './checkpoint-io.js';
import '../layers/depth-to-space-layer.js'; // registers the custom layer for deserialisation
import '../layers/step-dropout.js'; // likewise

export interface TrainState {
  step: number;
  seed: number;
  config: unknown;
  [key: string]: unknown;
}

export async function saveCheckpoint(dir: string, model: tf.LayersModel, optimizer: tf.Optimizer | null, state: TrainState): Promise<void> {
  const tmp = `${dir}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await model.save(fileIO(join(tmp, 'model')));
  if (optimizer) {
    const named = await optimizer.getWeights();
    const { data, specs } = await tf.io.encodeWeights(named);
    await writeFile(join(tmp, 'optimizer.bin'), new Uint8Array(data));
    await writeFile(join(tmp, 'optimizer.json'), JSON.stringify({ class: optimizer.getClassName(), config: optimizer.getConfig(), specs }));
  }
  await writeFile(join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  const old = `${dir}.old`;
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

export async function loadCheckpoint(dir: string, optimizer?: tf.Optimizer): Promise<{ model: tf.LayersModel; state: TrainState }> {
  const statePath = join(dir, 'state.json');
  let state: TrainState;
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as TrainState;
  } catch (err) {
    throw new Error(`${statePath}: cannot read checkpoint state: ${(err as Error).message}`);
  }
  if (typeof state.step !== 'number') throw new Error(`${statePath}: field "step" must be a number`);
  const model = await tf.loadLayersModel(fileIO(join(dir, 'model')));
  if (optimizer && existsSync(join(dir, 'optimizer.json'))) {
    const meta = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as { class: string; specs: tf.io.WeightsManifestEntry[] };
    if (meta.class !== optimizer.getClassName()) throw new Error(`${dir}/optimizer.json: saved for ${meta.class}, resuming with ${optimizer.getClassName()}`);
    const buf = await readFile(join(dir, 'optimizer.bin'));
    const map = tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer, meta.specs);
    await optimizer.setWeights(meta.specs.map((s) => ({ name: s.name, tensor: map[s.name] })));
  }
  return { model, state };
}
