/**
 * The federated segmenter at a site: the tfjs ventricle segmenter of @unbox/models (section 3.3)
 * on the site's head CT/MR from its manifest(s), with the dataset assembly of `unbox-site train`.
 * A round's fit: the received weights, then E = local_epochs passes over the labelled thick
 * slices in batches of `batch_size`; with loss LS+LT each thick step is followed by a thin step
 * on unlabelled slices (Eq. 14: L_S + β·L_T, alternated as in 3.3.2), plus weight decay and
 * FedProx's proximal term when μ is sent. The update counts every training slice. Augmentation is
 * per batch, as in `unbox-site train`: the slices are cached unaugmented and every slice of every
 * batch gets a fresh flip (left/right ventricle labels exchanged) and brightness draw from the
 * step's generator, never one frozen draw per scan.
 * Evaluation: Dice per modality and thickness per split, never masks or pixels.
 */
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@unbox/fl';
import {
  augmentSegBatch, buildNamedModel, diceRecords, PAPER_SEG_AUGMENT, namedModel, pearsonLoss, readWeights, rng, summariseSegmenter, supervisedLoss, writeWeights, type SegImage, type SegmenterConfig,
} from '@unbox/models';
import type { EvalSplit, Evaluation, FitConfig, SplitEvaluation } from '@unbox/protocol';
import { ensureBackend } from '../../training/backend.js';
import { selectRows, type SkippedRow } from '../../training/manifests.js';
import { loadSegmentImages } from '../../training/segment-data.js';
import type { FeatureSample } from '../feature-sharing.js';
import type { EvaluateOutcome, FitOutcome, LocalTrainer } from '../trainer.js';
import { LocalStep, shuffled, yieldToEventLoop } from './local-step.js';
import { fixedSample } from './pooled-features.js';
import { scoredSplits, TfjsTrainer } from './tfjs-trainer.js';
import { segmenterSplit } from './wire-evaluation.js';

export interface SegmenterTrainerOptions {
  centre: string;
  manifests: string[];
  /** the run's model name (segmenter[:<px>]) */
  model: string;
  seed?: number;
  onSkipped?: (row: SkippedRow) => void;
}

interface Data {
  labelled: SegImage[];
  unlabelled: SegImage[];
  evaluation: Partial<Record<EvalSplit, SegImage[]>>;
}

function stack(images: SegImage[]): tf.Tensor4D {
  const { size, channels } = images[0];
  const buf = new Float32Array(images.length * size * size * channels);
  images.forEach((im, i) => buf.set(im.data, i * im.data.length));
  return tf.tensor4d(buf, [images.length, size, size, channels]);
}

function masks(images: SegImage[]): tf.Tensor3D {
  const { size } = images[0];
  const buf = new Int32Array(images.length * size * size);
  images.forEach((im, i) => buf.set(im.mask!, i * size * size));
  return tf.tensor3d(buf, [images.length, size, size], 'int32');
}

export class SegmenterTrainer extends TfjsTrainer<SegmenterTrainerOptions> implements LocalTrainer {
  readonly task = 'segment' as const;

  private constructor(
    o: SegmenterTrainerOptions,
    private readonly config: SegmenterConfig,
    model: tf.LayersModel,
    private readonly data: Data,
  ) {
    super(o, model);
  }

  static async create(o: SegmenterTrainerOptions): Promise<SegmenterTrainer> {
    await ensureBackend();
    const named = namedModel(o.model);
    if (named.task !== 'segment') throw new Error(`model '${o.model}' is not a segmenter`);
    const cfg = named.config;
    const sel = await selectRows(o.manifests, 'segment', ['train', 'val', 'test']);
    sel.skipped.forEach((s) => o.onSkipped?.(s));
    const size = cfg.encoder.inputSize;
    const channels = cfg.encoder.inputChannels;
    const data: Data = { labelled: [], unlabelled: [], evaluation: {} };
    for (const split of ['train', 'val', 'test'] as const) {
      // unaugmented (fit draws flip/brightness per batch and never mutates), so one load serves training and evaluation
      const e = await loadSegmentImages(sel.rows.filter((r) => r.entry.split === split), { size, channels, augmentSeed: null });
      e.skipped.forEach((s) => o.onSkipped?.(s));
      if (split === 'train') {
        data.labelled = e.labelled;
        data.unlabelled = e.unlabelled;
      }
      data.evaluation[split] = e.evaluation;
    }
    if (cfg.loss !== 'LT' && data.labelled.length === 0) throw new Error(`no segment slices with a mask in the train split of ${o.manifests.join(', ')}`);
    if (cfg.loss !== 'LS' && data.unlabelled.length === 0) throw new Error(`no unlabelled segment slices (loss ${cfg.loss} needs them) in the train split of ${o.manifests.join(', ')}`);
    return new SegmenterTrainer(o, cfg, buildNamedModel(named, o.seed ?? 1), data);
  }

  get trainSlices(): number {
    return this.data.labelled.length + this.data.unlabelled.length;
  }

  async fit(weights: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    writeWeights(this.model, weights);
    const cfg = this.config;
    const local = await LocalStep.forRound(this.model, global, config, cfg.weightDecay, this.optimizers, this.o.centre);
    const seed = local.seed;
    const r = rng(seed);
    // this step's augmentation: a function of (the site's round seed, step) only
    const augmented = (images: SegImage[]) => augmentSegBatch(images, seed, local.steps, PAPER_SEG_AUGMENT);
    const { labelled, unlabelled } = this.data;
    const thick = cfg.loss !== 'LT';
    const thin = cfg.loss !== 'LS';
    // an epoch is one pass over the thick slices (LS, LS+LT) or over the thin ones (LT)
    const base = thick ? labelled : unlabelled;
    let lastEpochLoss = 0;
    try {
      for (let epoch = 0; epoch < config.local_epochs; epoch++) {
        const order = shuffled(base.length, r);
        const thinOrder = thin ? shuffled(unlabelled.length, r) : [];
        let sum = 0;
        let count = 0;
        for (let start = 0, b = 0; start < order.length; start += config.batch_size, b++) {
          if (thick) {
            const batch = augmented(order.slice(start, start + config.batch_size).map((i) => labelled[i]));
            const x = stack(batch);
            const y = masks(batch);
            try {
              sum += await local.step(() => supervisedLoss(this.model.apply(x, { training: true }) as tf.Tensor4D, y));
            } finally {
              tf.dispose([x, y]);
            }
            count++;
          }
          if (thin) {
            const from = (b * config.batch_size) % unlabelled.length;
            const batch = augmented(Array.from({ length: Math.min(config.batch_size, unlabelled.length) }, (_, k) => unlabelled[thinOrder[(from + k) % unlabelled.length]]));
            const x = stack(batch);
            try {
              sum += await local.step(() => pearsonLoss(this.model.apply(x, { training: true }) as tf.Tensor4D).mul(cfg.beta) as tf.Scalar);
            } finally {
              x.dispose();
            }
            count++;
          }
        }
        lastEpochLoss = sum / count;
      }
    } finally {
      local.dispose();
    }
    return { parameters: readWeights(this.model), numExamples: this.trainSlices, metrics: { train_loss: lastEpochLoss, steps: local.steps } };
  }

  async evaluate(weights: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    writeWeights(this.model, weights);
    const backend = await ensureBackend();
    const out: Partial<Record<EvalSplit, SplitEvaluation>> = {};
    let n = 0;
    for (const s of scoredSplits(splits, (s) => (this.data.evaluation[s]?.length ?? 0) > 0)) {
      const images = this.data.evaluation[s]!;
      const records = [];
      for (let i = 0; i < images.length; i += 16) {
        records.push(...diceRecords(this.model, this.config, images.slice(i, i + 16)));
        await yieldToEventLoop();
      }
      out[s] = segmenterSplit(this.o.centre, summariseSegmenter(records).dice);
      if (s !== 'train') n += images.length;
    }
    const evaluation: Evaluation = { task: 'segment', backend: backend.backend, splits: out, seed: this.o.seed ?? 1, config: this.o.model, versions: backend.versions, created: new Date().toISOString() };
    return { numExamples: n, evaluation };
  }

  /**
   * Consortium t-SNE: the pooled encoder (backbone) vector of a fixed seeded sample of at most
   * `max` of the site's slices (evaluation view, every split), labelled by modality and thickness.
   */
  async featureSample(weights: Tensor[], max: number): Promise<FeatureSample> {
    writeWeights(this.model, weights);
    const all = [...(this.data.evaluation.train ?? []), ...(this.data.evaluation.val ?? []), ...(this.data.evaluation.test ?? [])];
    const samples = [];
    for (const i of fixedSample(all.length, max, this.o.seed ?? 1)) {
      const im = all[i];
      const [values] = await this.pooled.perSlice(im.data, 1, im.size, im.channels);
      samples.push({ label: `${im.modality === 'MR' ? 'MRI' : im.modality}-${im.thickness}`, values });
    }
    return { unit: 'slice', samples };
  }

}
