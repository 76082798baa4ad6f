/**
 * A small, real local trainer over Float32Array features: binary logistic regression
 * p = σ(x·w + b), trained with mini-batch SGD on the mean binary cross-entropy, plus FedProx's
 * proximal term (μ/2)·‖θ − θ_global‖² when the fit config carries μ. Model tensors match the
 * coordinator's built-in `logreg:<d>` model (`dense/kernel` [d,1], `dense/bias` [1]).
 * Used for simulations and federation tests until the tfjs trainers are plugged in.
 */
import type { Tensor } from '@unbox/fl';
import { rng, rocAuc } from '@unbox/models';
import type { BinaryMetrics, EvalSplit, FitConfig } from '@unbox/protocol';
import type { EvaluateOutcome, FitOutcome, LocalTrainer } from './trainer.js';
import { roundSeed } from './trainers/local-step.js';

export interface Dataset {
  /** n × d row-major */
  x: Float32Array;
  /** n labels in {0, 1} */
  y: Uint8Array;
  d: number;
}

export type SplitData = Partial<Record<EvalSplit, Dataset>> & { train: Dataset };

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function weights(model: Tensor[], d: number): { w: Float32Array; b: number } {
  const k = model.find((t) => t.name === 'dense/kernel');
  const b = model.find((t) => t.name === 'dense/bias');
  if (!k || !b || k.data.length !== d || b.data.length !== 1) throw new Error(`logistic trainer: model needs dense/kernel [${d},1] and dense/bias [1]`);
  return { w: Float32Array.from(k.data), b: b.data[0] };
}

/** Mean binary cross-entropy of (w, b) on a dataset. */
export function logLoss(ds: Dataset, w: Float32Array, b: number): number {
  const n = ds.y.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let z = b;
    for (let j = 0; j < ds.d; j++) z += ds.x[i * ds.d + j] * w[j];
    const p = Math.min(1 - 1e-7, Math.max(1e-7, sigmoid(z)));
    s -= ds.y[i] ? Math.log(p) : Math.log(1 - p);
  }
  return s / n;
}

/** ROC AUC of @unbox/models (mid-ranks, ties ½); null, as the wire's metrics have it, with one class. */
function aucOrNull(labels: Uint8Array, scores: Float64Array): number | null {
  const auc = rocAuc(labels, scores);
  return Number.isNaN(auc) ? null : auc;
}

function binaryMetrics(ds: Dataset, w: Float32Array, b: number): BinaryMetrics {
  const n = ds.y.length;
  const scores = new Float64Array(n);
  let tp = 0, tn = 0, fp = 0, fn = 0;
  for (let i = 0; i < n; i++) {
    let z = b;
    for (let j = 0; j < ds.d; j++) z += ds.x[i * ds.d + j] * w[j];
    scores[i] = sigmoid(z);
    const pred = scores[i] >= 0.5;
    if (pred && ds.y[i]) tp++;
    else if (pred) fp++;
    else if (ds.y[i]) fn++;
    else tn++;
  }
  const rate = (a: number, c: number) => (c > 0 ? a / c : null);
  return { n, acc: rate(tp + tn, n), precision: rate(tp, tp + fp), sensitivity: rate(tp, tp + fn), specificity: rate(tn, tn + fp), auc: aucOrNull(ds.y, scores) };
}

export class LogisticTrainer implements LocalTrainer {
  constructor(
    private readonly centre: string,
    private readonly data: SplitData,
  ) {}

  initialLocal(): null {
    return null;
  }

  async fit(model: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome> {
    const ds = this.data.train;
    const d = ds.d;
    const { w, b: b0 } = weights(model, d);
    const g = weights(global.some((t) => t.name === 'dense/kernel') ? global : model, d);
    let b = b0;
    const mu = config.proximal_mu ?? 0;
    const n = ds.y.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const rand = rng(roundSeed(config, this.centre));
    const gw = new Float64Array(d);
    for (let epoch = 0; epoch < config.local_epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      for (let start = 0; start < n; start += config.batch_size) {
        const batch = order.slice(start, start + config.batch_size);
        gw.fill(0);
        let gb = 0;
        for (const i of batch) {
          let z = b;
          for (let j = 0; j < d; j++) z += ds.x[i * d + j] * w[j];
          const err = sigmoid(z) - ds.y[i];
          for (let j = 0; j < d; j++) gw[j] += err * ds.x[i * d + j];
          gb += err;
        }
        const m = batch.length;
        for (let j = 0; j < d; j++) w[j] -= config.lr * (gw[j] / m + mu * (w[j] - g.w[j]));
        b -= config.lr * (gb / m + mu * (b - g.b));
      }
    }
    return {
      parameters: [
        { name: 'dense/kernel', shape: [d, 1], data: w },
        { name: 'dense/bias', shape: [1], data: Float32Array.of(b) },
      ],
      numExamples: n,
      metrics: { train_loss: logLoss(ds, w, b) },
    };
  }

  async evaluate(model: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome> {
    const { w, b } = weights(model, this.data.train.d);
    const out: Partial<Record<EvalSplit, { centre: string; image: BinaryMetrics }>> = {};
    let n = 0;
    let lossSum = 0;
    for (const s of splits) {
      const ds = this.data[s];
      if (!ds || ds.y.length === 0) continue;
      out[s] = { centre: this.centre, image: binaryMetrics(ds, w, b) };
      if (s !== 'train') {
        n += ds.y.length;
        lossSum += logLoss(ds, w, b) * ds.y.length;
      }
    }
    if (Object.keys(out).length === 0) out.train = { centre: this.centre, image: binaryMetrics(this.data.train, w, b) };
    return { numExamples: n, ...(n > 0 ? { loss: lossSum / n } : {}), evaluation: { task: 'classify', backend: 'ts-cpu', splits: out } };
  }
}

/**
 * Two Gaussian classes in d dimensions (means ±shift·1/√d plus a centre offset), for simulated
 * sites: the same seed gives the same data.
 */
export function syntheticCentre(o: { n: number; d: number; seed: number; offset?: number }): Dataset {
  const rand = rng(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float32Array(o.n * o.d);
  const y = new Uint8Array(o.n);
  for (let i = 0; i < o.n; i++) {
    y[i] = rand() < 0.5 ? 1 : 0;
    for (let j = 0; j < o.d; j++) x[i * o.d + j] = gauss() + (y[i] ? 1 : -1) * (1.5 / Math.sqrt(o.d)) + (o.offset ?? 0);
  }
  return { x, y, d: o.d };
}
