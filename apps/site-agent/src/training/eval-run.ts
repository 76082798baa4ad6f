/** `unbox-site eval`: a saved checkpoint evaluated on any manifest(s), every split and centre. */
import { resolve } from 'node:path';
import { Split } from '@unbox/data';
import { evaluationJson, loadCheckpoint, type EvaluationJson } from '@unbox/models';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ensureBackend } from './backend.js';
import { readSavedState } from './checkpoint-state.js';
import { evaluateClassifierRows, evaluateSegmenterRows } from './evaluate.js';
import { writeJsonFile } from './json-file.js';
import { selectRows } from './manifests.js';
import { loadTruth } from './truth.js';

export interface EvalRunOptions {
  model: string;
  manifests: string[];
  out: string;
  splits?: Split[];
  /** evaluate the selected splits pooled, as one split "all" */
  merge?: boolean;
  groundTruth?: string[];
  log: Logger;
}

export async function runEvaluation(opts: EvalRunOptions): Promise<EvaluationJson> {
  const backend = await ensureBackend();
  const saved = await readSavedState(opts.model);
  const { model } = await loadCheckpoint(saved.dir).catch((e: Error) => { throw new UserError(`cannot load the model: ${e.message}`); });
  const config = saved.config;
  const splits = opts.splits ?? Split.options;
  const sel = await selectRows(opts.manifests, config.task, splits);
  for (const s of sel.skipped) opts.log.warn('manifest row skipped', { manifest: s.manifest, row: s.row, patient: s.patient, reason: s.reason });
  const truth = opts.groundTruth?.length ? await loadTruth(opts.groundTruth) : undefined;
  opts.log.info('evaluating', { task: config.task, rows: sel.rows.length, step: saved.step, backend: backend.backend });
  const results = config.task === 'classify'
    ? await evaluateClassifierRows(model, config.model, sel.rows, splits, truth, opts.merge)
    : await evaluateSegmenterRows(model, config.model, sel.rows, splits, truth, opts.merge);
  model.dispose();
  if (Object.keys(results.splits).length === 0) {
    throw new UserError(`nothing to evaluate: no usable ${config.task} rows with labels in ${opts.manifests.join(', ')} (splits ${splits.join(', ')})`);
  }
  const evaluation = {
    ...evaluationJson(config.task, backend, config.seed, config, results.splits),
    model: resolve(saved.dir), step: saved.step, manifests: opts.manifests.map((m) => resolve(m)), skipped: [...sel.skipped, ...results.skipped],
  };
  await writeJsonFile(resolve(opts.out), evaluation);
  return evaluation;
}
