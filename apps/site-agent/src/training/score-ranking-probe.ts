/**
 * Where a saved classifier's ranking holds at one centre (diagnosis, docs/experiments.md and the
 * README's federated section): for each model, the patient AUC of its own patient score, of the
 * mean and of the maximum slice logit, and the within-patient slice AUC (scoreRanking of
 * @unbox/models), over every patient of the centre. Prints one JSON line per model.
 *
 *   UNBOX_BACKEND=engine npx tsx apps/site-agent/src/training/score-ranking-probe.ts \
 *     [--data data/synthetic-default] [--centre D] <train --out dir | site models/classify dir>...
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { loadCheckpoint, predictPatients, scoreRanking } from '@unbox/models';
import { ensureBackend } from './backend.js';
import { readSavedState } from './checkpoint-state.js';
import { classifyInput, loadClassifyPatients } from './classify-data.js';
import { selectRows } from './manifests.js';
import { loadTruth } from './truth.js';

const { values: a, positionals: models } = parseArgs({
  options: { data: { type: 'string', default: 'data/synthetic-default' }, centre: { type: 'string', default: 'D' } },
  allowPositionals: true,
});
if (models.length === 0) throw new Error('give one or more model directories (unbox-site train --out, or a site\'s models/classify)');
const backend = await ensureBackend();
const dir = join(a.data!, a.centre!);
const truth = await loadTruth([join(dir, 'ground-truth.json')]);
const sel = await selectRows([join(dir, 'manifest.json')], 'classify', ['train', 'val', 'test']);
for (const m of models) {
  const saved = await readSavedState(m);
  if (saved.config.task !== 'classify') throw new Error(`${m}: a ${saved.config.task} model, not a classifier`);
  const { model } = await loadCheckpoint(saved.dir);
  const { patients } = await loadClassifyPatients(sel.rows, { ...classifyInput(saved.config.model), augmentSeed: null, truth: truth.chest });
  const ranking = scoreRanking(predictPatients(model, saved.config.model, patients));
  model.dispose();
  process.stdout.write(`${JSON.stringify({ model: m, step: saved.step, centre: a.centre, backend: backend.backend, versions: backend.versions, ...ranking })}\n`);
}
