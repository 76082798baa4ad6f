/**
 * The federated classifier at a site: the tfjs SIM classifier of @unbox/models (section 3.2)
 * trained on the site's own chest CT from its manifest(s), with the dataset assembly of
 * `unbox-site train` (same preprocessing and the same per-batch augmentation: scans cached in the
 * lung window, uncropped, and a fresh crop/resize/flip drawn for every window at every step from
 * viewRng, never one frozen draw per scan, which the network memorised).
 *
 * A round's fit: the received weights are written into the model, then E = local_epochs passes
 * over the training patients, `batch_size` patients per step (the epoch's shuffled order, or with
 * `sampling: centre-balanced` the same number of steps of positive/negative pairs of this site's
 * patients, samplePatients of @unbox/models), each contributing a window of up to
 * `maxSlicesPerPatient` consecutive slices (with the round's `scanner_jitter`, each scan's view also
 * gets a random calibration and noise, @unbox/data SCANNER_JITTER), Adam at the round's lr (fresh each round, or its moments kept with train.keep_optimizer_state). The step
 * minimises the classifier loss (eq. of 3.2 with NCM when configured) + L2 weight decay, plus
 * FedProx's proximal term (μ/2)·‖w − w_global‖² over the shared trainable weights when μ is sent.
 * The update is every weight, batch-norm statistics included (FedBN keeps those local by name),
 * and the number of training patients (a patient's bag is one example).
 * Evaluation reports per-split patient- and image-level metrics, never images or per-patient rows.
 */
import * as tf from '@tensorflow/tfjs';
import { SCANNER_JITTER } from '@unbox/data';
import type { Tensor } from '@unbox/fl';
import {
  buildNamedModel, classifierBatch, classifierLoss, sliceWindow, namedModel, predictPatients, readWeights, rng, runClassifier, samplePatients, summariseClassifier, viewRng, writeWeights,
  type ClassifierConfig, type PatientPrediction, type PatientSlices, type WindowView,
} from '@unbox/models';
import type { EvalSplit, Evaluation, FitConfig, SplitEvaluation } from '@unbox/protocol';
import { ensureBackend } from '../../training/backend.js';
import { classifyInput, loadClassifyPatients, loadClassifyTraining } from '../../training/classify-data.js';
import { trainingView } from '../../training/classify-views.js';
import { selectRows, type SkippedRow } from '../../training/manifests.js';
import type { FeatureSample } from '../feature-sharing.js';
import type { EvaluateOutcome, FitOutcome, LocalTrainer } from '../trainer.js';
import { LocalStep, shuffled, yieldToEventLoop } from './local-step.js';
import { fixedSample } from './pooled-features.js';
import { scoredSplits, TfjsTrainer } from './tfjs-trainer.js';
import { classifierSplit } from './wire-evaluation.js';

export interface ClassifierTrainerOptions {
  /** the centre id reported with the metrics */
  centre: string;
  manifests: string[];
  /** the run's model name (classifier[:<px>][:lung][:gn]) */
  model: string;
  /** seed of the site's own initial (FedBN-local) weights and of the consortium t-SNE sample */
  seed?: number;
  maxSlicesPerPatient?: number;
  onSkipped?: (row: SkippedRow) => void;
}

/** train: the whole-slice (evaluation) view of the training patients; view: their per-batch training views */
type Data = Partial<Record<EvalSplit, PatientSlices[]>> & { train: PatientSlices[]; view: WindowView; jitteredView: WindowView };

export class ClassifierTrainer extends TfjsTrainer<ClassifierTrainerOptions> implements LocalTrainer {
  readonly task = 'classify' as const;

  private constructor(
    o: ClassifierTrainerOptions,
    private readonly config: ClassifierConfig,
    model: tf.LayersModel,
    private readonly data: Data,
  ) {
    super(o, model);
  }

  /** Loads and preprocesses the site's data once; throws when there is no labelled training patient. */
  static async create(o: ClassifierTrainerOptions): Promise<ClassifierTrainer> {
    await ensureBackend();
    const named = namedModel(o.model);
    if (named.task !== 'classify') throw new Error(`model '${o.model}' is not a classifier`);
    const cfg = named.config;
    const sel = await selectRows(o.manifests, 'classify', ['train', 'val', 'test']);
    sel.skipped.forEach((s) => o.onSkipped?.(s));
    const shape = classifyInput(cfg);
    const training = await loadClassifyTraining(sel.rows.filter((r) => r.entry.split === 'train'), shape);
    training.skipped.forEach((s) => o.onSkipped?.(s));
    const data: Data = { train: training.patients.map((p) => p.patient), view: training.view, jitteredView: trainingView(training.patients, { intensity: SCANNER_JITTER }) };
    for (const split of ['val', 'test'] as const) {
      const loaded = await loadClassifyPatients(sel.rows.filter((r) => r.entry.split === split), { ...shape, augmentSeed: null });
      loaded.skipped.forEach((s) => o.onSkipped?.(s));
      data[split] = loaded.patients;
    }
    if (data.train.length === 0) throw new Error(`no labelled classify patients in the train split of ${o.manifests.join(', ')}`);
    return new ClassifierTrainer(o, cfg, buildNamedModel(named, o.seed ?? 1), data);
  }

  /** patients of every split (the pool the consortium t-SNE sample is drawn from) */
  get patients(): number {
    return this.data.train.length + (this.data.val?.length ?? 0) + (this.data.test?.length ?? 0);
  }

  get trainPatients(): number {
    return this.data.train.length;
  }

  async fit(weights: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    writeWeights(this.model, weights);
    const cfg = this.config;
    const local = await LocalStep.forRound(this.model, global, config, cfg.weightDecay, this.optimizers, this.o.centre);
    const seed = local.seed;
    const r = rng(seed);
    const maxSlices = this.o.maxSlicesPerPatient ?? 16;
    const patients = this.data.train;
    const balanced = config.sampling === 'centre-balanced';
    const view = config.scanner_jitter === true ? this.data.jitteredView : this.data.view;
    if (balanced && new Set(patients.map((p) => p.label)).size < 2) {
      throw new Error(`sampling 'centre-balanced' needs NCP and non-NCP patients in this site's train split; ${this.o.centre} has only ${patients[0].label === 1 ? 'NCP' : 'non-NCP'} patients`);
    }
    let lastEpochLoss = 0;
    try {
      for (let epoch = 0; epoch < config.local_epochs; epoch++) {
        const order = shuffled(patients.length, r);
        let sum = 0;
        let count = 0;
        for (let start = 0; start < order.length; start += config.batch_size) {
          // this step's views: a fresh crop/flip per window, a function of (the site's round seed, step) only
          const vr = viewRng(seed, local.steps);
          // uniform: the epoch's shuffled order; balanced: as many steps, each drawing positive/negative pairs
          const drawn = balanced ? samplePatients(patients, r, config.batch_size, 'centre-balanced') : order.slice(start, start + config.batch_size).map((i) => patients[i]);
          const windows = drawn.map((p) => sliceWindow(p, r, maxSlices));
          const batch = classifierBatch(windows, cfg.numClasses, (w) => view(w, vr));
          try {
            sum += await local.step(() => classifierLoss(this.model, runClassifier(this.model, batch.x, true), batch.spans, cfg));
          } finally {
            batch.x.dispose();
          }
          count++;
        }
        lastEpochLoss = sum / count;
      }
    } finally {
      local.dispose();
    }
    return { parameters: readWeights(this.model), numExamples: patients.length, metrics: { train_loss: lastEpochLoss, steps: local.steps } };
  }

  async evaluate(weights: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    writeWeights(this.model, weights);
    const backend = await ensureBackend();
    const out: Partial<Record<EvalSplit, SplitEvaluation>> = {};
    let n = 0;
    for (const s of scoredSplits(splits, (s) => (this.data[s]?.length ?? 0) > 0)) {
      const patients = this.data[s]!;
      out[s] = classifierSplit(this.o.centre, summariseClassifier(await this.predict(patients)));
      if (s !== 'train') n += patients.length;
    }
    const evaluation: Evaluation = {
      task: 'classify', backend: backend.backend, splits: out, seed: this.o.seed ?? 1, config: this.o.model,
      versions: backend.versions, created: new Date().toISOString(),
    };
    return { numExamples: n, evaluation };
  }

  /**
   * Consortium t-SNE: one pooled backbone vector per patient (the mean over its slices, evaluation
   * view, no augmentation) for a fixed seeded sample of at most `max` of the site's patients of
   * every split, labelled 'positive' (NCP) or 'negative'; never ids.
   */
  async featureSample(weights: Tensor[], max: number): Promise<FeatureSample> {
    writeWeights(this.model, weights);
    const all = [...this.data.train, ...(this.data.val ?? []), ...(this.data.test ?? [])];
    const samples = [];
    for (const i of fixedSample(all.length, max, this.o.seed ?? 1)) {
      const p = all[i];
      samples.push({ label: p.label === 1 ? 'positive' : 'negative', values: await this.pooled.perPatient(p.data, p.slices, p.size, p.channels) });
    }
    return { unit: 'patient', samples };
  }

  /** Predictions a few patients at a time, letting the connection's heartbeats through in between. */
  private async predict(patients: PatientSlices[]): Promise<PatientPrediction[]> {
    const out: PatientPrediction[] = [];
    for (let i = 0; i < patients.length; i += 4) {
      out.push(...predictPatients(this.model, this.config, patients.slice(i, i + 4)));
      await yieldToEventLoop();
    }
    return out;
  }
}
