/**
 * Does a saved classifier score patients by themselves, or only relative to the batch it sees?
 * (diagnosis of the federated gap, README "Federated vs centralised"). Draws `--batches` batches of
 * two NCP and two non-NCP patients of one centre (a window of up to 16 consecutive slices each,
 * evaluation view, no augmentation), the composition of a federated site's centre-balanced step,
 * and scores every batch twice: in training mode (batch norm with the batch's own statistics, and
 * dropout with the StepDropout layers' current mask: step 0 for a loaded model, the one mask every
 * federated site trained with before 2026-11-27) and in inference mode (moving statistics, no
 * dropout, as every prediction is made). Per mode
 * it prints the AUC of the patient logits pooled over all batches, how many batches put both NCP
 * patients above both others, and the mean patient logit. A model whose training-mode ranking is
 * far above its inference-mode ranking learnt something inference does not compute (a fixed
 * dropout sub-network, or a comparison of the patients of a batch). One JSON line per model.
 *
 *   UNBOX_BACKEND=engine npx tsx apps/site-agent/src/training/batch-mode-probe.ts \
 *     [--data data/synthetic-default] [--centre D] [--split all|train|val|test] [--batches 40] <model dir>...
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { classifierBatch, patientLogits, rng, rocAuc, runClassifier, sliceWindow, type PatientSlices } from '@unbox/models';
import { ensureBackend } from './backend.js';
import { forEachSavedClassifier } from './probe-models.js';

const { values: a, positionals: models } = parseArgs({
  options: {
    data: { type: 'string', default: 'data/synthetic-default' },
    centre: { type: 'string', default: 'D' },
    split: { type: 'string', default: 'all' },
    batches: { type: 'string', default: '40' },
  },
  allowPositionals: true,
});
const SPLITS = ['train', 'val', 'test'] as const;
const one = SPLITS.find((x) => x === a.split);
if (a.split !== 'all' && one === undefined) throw new Error(`--split must be all, ${SPLITS.join(', ')}, got "${a.split}"`);
const splits = one === undefined ? SPLITS : [one];
const batches = Number(a.batches);
if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be a whole number ≥ 1, got "${a.batches}"`);
const backend = await ensureBackend();

await forEachSavedClassifier(models, join(a.data!, a.centre!), splits, ({ dir, step, config: cfg, model, patients }) => {
  const pos = patients.filter((p) => p.label === 1);
  const neg = patients.filter((p) => p.label !== 1);
  if (pos.length === 0 || neg.length === 0) throw new Error(`${a.centre}/${a.split}: needs NCP and non-NCP patients`);
  const r = rng(7); // the same batches for every model
  const pick = (from: PatientSlices[]) => from[Math.floor(r() * from.length)];
  const modes = { training: { labels: [] as number[], logits: [] as number[], ordered: 0 }, inference: { labels: [] as number[], logits: [] as number[], ordered: 0 } };
  for (let b = 0; b < batches; b++) {
    const drawn = [pick(pos), pick(neg), pick(pos), pick(neg)];
    const batch = classifierBatch(drawn.map((p) => sliceWindow(p, r, 16)), cfg.numClasses);
    for (const [mode, out] of Object.entries(modes)) {
      const z = Array.from(tf.tidy(() => patientLogits(model, runClassifier(model, batch.x, mode === 'training'), batch.spans, cfg).slice([0, cfg.numClasses - 1], [-1, 1]).dataSync()));
      drawn.forEach((p, i) => {
        out.labels.push(p.label === 1 ? 1 : 0);
        out.logits.push(z[i]);
      });
      if (Math.min(z[0], z[2]) > Math.max(z[1], z[3])) out.ordered++;
    }
    batch.x.dispose();
  }
  const summary = (o: typeof modes.training) => ({ auc: rocAuc(o.labels, o.logits), ncp_on_top: o.ordered / batches, mean_logit: o.logits.reduce((s, v) => s + v, 0) / o.logits.length });
  process.stdout.write(`${JSON.stringify({ model: dir, step, centre: a.centre, split: a.split, batches, backend: backend.backend, versions: backend.versions, training_mode: summary(modes.training), inference_mode: summary(modes.inference) })}\n`);
});
