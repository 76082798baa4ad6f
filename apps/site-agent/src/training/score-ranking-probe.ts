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
import { predictPatients, scoreRanking } from '@unbox/models';
import { ensureBackend } from './backend.js';
import { forEachSavedClassifier } from './probe-models.js';

const { values: a, positionals: models } = parseArgs({
  options: { data: { type: 'string', default: 'data/synthetic-default' }, centre: { type: 'string', default: 'D' } },
  allowPositionals: true,
});
const backend = await ensureBackend();
await forEachSavedClassifier(models, join(a.data!, a.centre!), ['train', 'val', 'test'], ({ dir, step, config, model, patients }) => {
  const ranking = scoreRanking(predictPatients(model, config, patients));
  process.stdout.write(`${JSON.stringify({ model: dir, step, centre: a.centre, backend: backend.backend, versions: backend.versions, ...ranking })}\n`);
});
