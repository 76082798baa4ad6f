/** `unbox-site eval`: a saved checkpoint evaluated on any manifest(s), every split and centre. */
import { resolve } from 'node:path';
import { Split } from '@unbox/data';
import * as tf from '@tensorflow/tfjs';
import { adaptBatchNorm, evaluationJson, loadCheckpoint, writeWeights, type AdaptedBatchNorm, type ClassifierConfig, type EvaluationJson } from '@unbox/models';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ensureBackend } from './backend.js';
import { readSavedState } from './checkpoint-state.js';
import { evaluateClassifierRows, evaluateSegmenterRows, type AdaptToCentre, type SplitResults } from './evaluate.js';
import { writeJsonFile } from './json-file.js';
import { classifyInput, loadClassifyPatients } from './classify-data.js';
import { selectRows, type ManifestRow } from './manifests.js';
import { loadTruth } from './truth.js';
import { readModelVersion, type ModelVersionFile } from './model-version.js';

export interface EvalRunOptions {
  model: string;
  manifests: string[];
  out: string;
  splits?: Split[];
  /** evaluate the selected splits pooled, as one split "all" */
  merge?: boolean;
  groundTruth?: string[];
  /** AdaBN: each centre scored after its batch-norm statistics are re-estimated on its own evaluated scans */
  adaptBn?: boolean;
  /** AdaBN takes each centre's statistics from the scans of these splits instead of the evaluated ones */
  adaptSplits?: Split[];
  /** a global model version (coordinator export or round folder) scored in `model`'s network instead of its own weights */
  weights?: string;
  log: Logger;
}

/** What `--adapt-bn` did for one centre, recorded in the evaluation JSON's `adapted_batchnorm` list (null without it). */
export type AdaptedCentre = AdaptedBatchNorm & { centre: string };

/**
 * AdaBN on one centre's evaluated scans (images only, labels unused): the classifier's batch-norm
 * layers take this centre's statistics, in memory.
 */
function adaptToCentre(model: tf.LayersModel, cfg: ClassifierConfig, log: Logger, from?: ManifestRow[]): AdaptToCentre<AdaptedBatchNorm> {
  const { inputSize: size, inputChannels: channels } = cfg.backbone;
  const per = size * size * channels;
  return async (centre, evaluated) => {
    const rows = from?.filter((r) => r.centre === centre);
    if (rows?.length === 0) throw new UserError(`--adapt-on: centre ${centre} has no rows in the splits to take its statistics from`);
    let patients = evaluated;
    if (rows) {
      const loaded = await loadClassifyPatients(rows, { ...classifyInput(cfg), augmentSeed: null });
      for (const k of loaded.skipped) log.warn('manifest row not used for the statistics', { manifest: k.manifest, row: k.row, patient: k.patient, reason: k.reason });
      patients = loaded.patients;
    }
    const chunks: tf.Tensor4D[] = [];
    for (const p of patients)
      for (let s = 0; s < p.slices; s += 64) {
        const n = Math.min(64, p.slices - s);
        chunks.push(tf.tensor4d(p.data.subarray(s * per, (s + n) * per), [n, size, size, channels]));
      }
    try {
      const adapted = adaptBatchNorm(model, chunks);
      log.info('batch-norm statistics adapted to the centre (AdaBN)', { centre, ...adapted });
      return adapted;
    } catch (e) {
      throw new UserError(`--adapt-bn at centre ${centre}: ${(e as Error).message}`);
    } finally {
      tf.dispose(chunks);
    }
  };
}

/** What `--weights` loaded, recorded in the evaluation JSON as `weights` (null without it). */
export interface LoadedVersion {
  dir: string;
  model_hash: string;
  format: ModelVersionFile['format'];
}

/** The version's tensors written into the network by name; a version of another network is refused naming the tensor. */
async function loadVersion(model: tf.LayersModel, dir: string): Promise<LoadedVersion> {
  const v = await readModelVersion(dir);
  try {
    writeWeights(model, v.tensors);
  } catch (e) {
    throw new UserError(`--weights ${dir} does not fit the network of --model: ${(e as Error).message}`);
  }
  return { dir: resolve(dir), model_hash: v.modelHash, format: v.format };
}

export async function runEvaluation(opts: EvalRunOptions): Promise<EvaluationJson & { adapted_batchnorm: AdaptedCentre[] | null; weights: LoadedVersion | null }> {
  const backend = await ensureBackend();
  const saved = await readSavedState(opts.model);
  const { model } = await loadCheckpoint(saved.dir).catch((e: Error) => { throw new UserError(`cannot load the model: ${e.message}`); });
  const config = saved.config;
  const weights = opts.weights === undefined ? null : await loadVersion(model, opts.weights);
  if (weights) opts.log.info('model version loaded', { ...weights });
  const splits = opts.splits ?? Split.options;
  const sel = await selectRows(opts.manifests, config.task, splits);
  for (const s of sel.skipped) opts.log.warn('manifest row skipped', { manifest: s.manifest, row: s.row, patient: s.patient, reason: s.reason });
  const truth = opts.groundTruth?.length ? await loadTruth(opts.groundTruth) : undefined;
  opts.log.info('evaluating', { task: config.task, rows: sel.rows.length, step: saved.step, backend: backend.backend });
  if (opts.adaptBn && config.task !== 'classify') throw new UserError('--adapt-bn applies to the classifier');
  if (opts.adaptSplits && !opts.adaptBn) throw new UserError('--adapt-on names the splits AdaBN takes its statistics from: give it with --adapt-bn');
  let adapted: AdaptedCentre[] | null = null;
  let results: SplitResults;
  if (config.task === 'classify') {
    const from = opts.adaptSplits ? (await selectRows(opts.manifests, config.task, opts.adaptSplits)).rows : undefined;
    const r = await evaluateClassifierRows(model, config.model, sel.rows, splits, truth, opts.merge, opts.adaptBn ? adaptToCentre(model, config.model, opts.log, from) : undefined);
    if (opts.adaptBn) adapted = r.adapted;
    results = r;
  } else results = await evaluateSegmenterRows(model, config.model, sel.rows, splits, truth, opts.merge);
  model.dispose();
  if (Object.keys(results.splits).length === 0) {
    throw new UserError(`nothing to evaluate: no usable ${config.task} rows with labels in ${opts.manifests.join(', ')} (splits ${splits.join(', ')})`);
  }
  const evaluation = {
    ...evaluationJson(config.task, backend, config.seed, config, results.splits),
    model: resolve(saved.dir), step: saved.step, weights, adapted_batchnorm: adapted, manifests: opts.manifests.map((m) => resolve(m)), skipped: [...sel.skipped, ...results.skipped],
  };
  await writeJsonFile(resolve(opts.out), evaluation);
  return evaluation;
}
