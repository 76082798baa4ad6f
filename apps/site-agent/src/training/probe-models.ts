/**
 * What the diagnostic probes (score-ranking-probe, batch-mode-probe) share: each saved classifier
 * given on the command line, loaded with one centre's patients in the model's own input view.
 * The model is disposed once the caller's body has run.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ClassifierConfig, PatientSlices } from '@unbox/models';
import { loadCheckpoint } from '@unbox/models';
import { readSavedState } from './checkpoint-state.js';
import { classifyInput, loadClassifyPatients } from './classify-data.js';
import { selectRows } from './manifests.js';
import { loadTruth } from './truth.js';

export interface ProbedClassifier {
  dir: string;
  step: number;
  config: ClassifierConfig;
  model: tf.LayersModel;
  patients: PatientSlices[];
}

export async function forEachSavedClassifier(
  models: readonly string[],
  centreDir: string,
  splits: readonly ('train' | 'val' | 'test')[],
  body: (c: ProbedClassifier) => Promise<void> | void,
): Promise<void> {
  if (models.length === 0) throw new Error('give one or more model directories (unbox-site train --out, or a site\'s models/classify)');
  const truth = await loadTruth([join(centreDir, 'ground-truth.json')]);
  const sel = await selectRows([join(centreDir, 'manifest.json')], 'classify', [...splits]);
  for (const dir of models) {
    const saved = await readSavedState(dir);
    if (saved.config.task !== 'classify') throw new Error(`${dir}: a ${saved.config.task} model, not a classifier`);
    const { model } = await loadCheckpoint(saved.dir);
    try {
      const { patients } = await loadClassifyPatients(sel.rows, { ...classifyInput(saved.config.model), augmentSeed: null, truth: truth.chest });
      await body({ dir, step: saved.step, config: saved.config.model, model, patients });
    } finally {
      model.dispose();
    }
  }
}
