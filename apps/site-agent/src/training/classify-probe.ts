/**
 * The classifier probes of docs/experiments.md ("Classifier probes"), for options `unbox-site
 * train` does not expose (lung crop, centre-balanced sampling): trains on the train split of
 * centres A, B, C of a consortium with per-batch views, and every `every` steps prints the
 * patient/image AUC on the training patients (whole slice), the test split of A–C and every
 * patient of the unseen centre D (for diagnosis only: D is never used to choose anything in a run).
 *
 *   UNBOX_BACKEND=engine UNBOX_THREADS=1 npx tsx apps/site-agent/src/training/classify-probe.ts \
 *     --mode sim+ncm --steps 1500 [--every 250] [--seed 1] [--size 64] [--lung-crop] [--sampling centre-balanced] [--data data/synthetic-default]
 *     [--jitter] [--crop-scale 0.9] [--width 0.125] [--dropout 0.7] [--patients 2] [--slices 40] [--stem imagenet|small]
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { adam, ResNetConfigSchema, classifierFromConfig, ClassifierConfigSchema, predictPatients, summariseClassifier, trainClassifier, PatientSampling, type PatientSlices } from '@unbox/models';
import { PAPER_CROP } from '@unbox/data';
import { ensureBackend } from './backend.js';
import { classifyInput, loadClassifyPatients, loadClassifyTraining } from './classify-data.js';
import { viewAugmentation } from './classify-views.js';
import { selectRows } from './manifests.js';
import { loadTruth } from './truth.js';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'sim+ncm' }, steps: { type: 'string', default: '1000' }, every: { type: 'string', default: '250' },
    seed: { type: 'string', default: '1' }, size: { type: 'string', default: '64' }, 'lung-crop': { type: 'boolean', default: false },
    sampling: { type: 'string', default: 'uniform' }, data: { type: 'string', default: 'data/synthetic-default' },
    jitter: { type: 'boolean', default: false }, 'crop-scale': { type: 'string', default: String(PAPER_CROP.scale[0]) },
    dropout: { type: 'string' }, width: { type: 'string', default: '0.125' },
    patients: { type: 'string', default: '2' }, slices: { type: 'string', default: '40' }, stem: { type: 'string', default: 'imagenet' },
  },
});
/** A whole number ≥ min from option --name, or exit 2 naming the option. */
function whole(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min) {
    process.stderr.write(`classify-probe: --${name} must be a whole number >= ${min}, got "${v}"\n`);
    process.exit(2);
  }
  return n;
}
const steps = whole('steps', a.steps, 1);
const every = whole('every', a.every, 1);
const seed = whole('seed', a.seed, 0);
const size = whole('size', a.size, 8);
const patientsPerBatch = whole('patients', a.patients, 1);
const maxSlicesPerPatient = whole('slices', a.slices, 1);
const parsedSampling = PatientSampling.safeParse(a.sampling);
if (!parsedSampling.success) {
  process.stderr.write(`classify-probe: --sampling must be ${PatientSampling.options.join(' or ')}, got "${a.sampling}"\n`);
  process.exit(2);
}
const sampling = parsedSampling.data;
const lungCrop = a['lung-crop'];
/** A number in [lo, hi] from option --name, or exit 2 naming the option. */
function fraction(name: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) {
    process.stderr.write(`classify-probe: --${name} must be a number in [${lo}, ${hi}], got "${v}"\n`);
    process.exit(2);
  }
  return n;
}
const cropScale = fraction('crop-scale', a['crop-scale'], 0.1, 1);
const width = fraction('width', a.width, 0.01, 1);
const dropout = a.dropout === undefined ? undefined : fraction('dropout', a.dropout, 0, 0.99);
const augmentation = viewAugmentation({ cropScale: [cropScale, 1], scannerJitter: a.jitter });
const manifest = (c: string) => join(a.data, c, 'manifest.json');

const backend = await ensureBackend();
const truth = await loadTruth(['A', 'B', 'C', 'D'].map((c) => join(a.data, c, 'ground-truth.json')));
const stem = ResNetConfigSchema.shape.stem.parse(a.stem);
const cfgIn = { backbone: { depth: 18 as const, width, inputSize: size, inputChannels: 1, stem }, phiFilters: 16, mode: ClassifierConfigSchema.shape.mode.parse(a.mode), lungCrop, ...(dropout === undefined ? {} : { dropout }) };
const cfg = ClassifierConfigSchema.parse(cfgIn);
const shape = { ...classifyInput(cfg), truth: truth.chest };
const sel = await selectRows(['A', 'B', 'C'].map(manifest), 'classify', ['train', 'test']);
const train = await loadClassifyTraining(sel.rows.filter((r) => r.entry.split === 'train'), { ...shape, augmentation });
const test = (await loadClassifyPatients(sel.rows.filter((r) => r.entry.split === 'test'), { ...shape, augmentSeed: null })).patients;
const unseen = (await loadClassifyPatients((await selectRows([manifest('D')], 'classify', ['train', 'val', 'test'])).rows, { ...shape, augmentSeed: null })).patients;
const patients = train.patients.map((p) => p.patient);
const { model } = await classifierFromConfig(cfgIn, seed);
const auc = (ps: PatientSlices[]) => {
  const s = summariseClassifier(predictPatients(model, cfg, ps));
  return `${s.patient.auc.toFixed(3)}/${s.image.auc.toFixed(3)}`;
};
/** Mean patient probability per ground-truth group (severe / mild NCP, CP, Normal): does the ranking follow the lesions? */
const groups = (ps: PatientSlices[]) => {
  const sums = new Map<string, number[]>();
  for (const p of predictPatients(model, cfg, ps)) {
    const t = truth.chest.get(p.centre ?? '')?.get(p.id);
    const g = t ? (t.severity ? `${t.severity} ${t.label}` : t.label) : 'unknown';
    sums.set(g, [...(sums.get(g) ?? []), p.probability]);
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([g, xs]) => `${g} ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} (${xs.length})`).join(', ');
};
process.stdout.write(`${JSON.stringify({ mode: cfg.mode, steps, seed, size, lungCrop, sampling, augmentation, patientsPerBatch, maxSlicesPerPatient, width, stem, dropout: cfg.dropout, backend: backend.backend })}\n`);
let losses: number[] = [];
const t0 = performance.now();
await trainClassifier(patients, cfgIn, {
  steps, seed, patientsPerBatch, maxSlicesPerPatient, model, optimizer: adam(cfg.learningRate), view: train.view, sampling,
  onStep: ({ step, loss }) => {
    losses.push(loss);
    if (step % every !== 0) return;
    const mean = losses.reduce((x, y) => x + y, 0) / losses.length;
    losses = [];
    process.stdout.write(`step ${step} loss ${mean.toFixed(3)} train ${auc(patients)} test ${auc(test)} D ${auc(unseen)} (patient/image AUC) ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    process.stdout.write(`  D mean probability by group: ${groups(unseen)}\n`);
  },
});
