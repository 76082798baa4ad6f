/**
 * Local training is pluggable: the agent hands a model and the round's fit config to a
 * LocalTrainer and sends back only what it returns (parameters go through secure aggregation,
 * metrics as numbers). The tfjs classifier/segmenter trainers of @unbox/models plug in here.
 */
import type { Tensor } from '@unbox/fl';
import type { EvalSplit, Evaluation, FitConfig } from '@unbox/protocol';
import type { FeatureSample } from './feature-sharing.js';

export interface FitOutcome {
  parameters: Tensor[];
  numExamples: number;
  /** flat named numbers, e.g. train_loss */
  metrics: Record<string, number>;
}

export interface EvaluateOutcome {
  numExamples: number;
  loss?: number;
  evaluation: Evaluation;
}

export interface LocalTrainer {
  /** the site's own model before any round (FedBN's local tensors start here); null: take the received model as is */
  initialLocal(): Tensor[] | null;
  fit(model: Tensor[], global: Tensor[], config: FitConfig): Promise<FitOutcome>;
  evaluate(model: Tensor[], splits: readonly EvalSplit[]): Promise<EvaluateOutcome>;
  /**
   * Consortium t-SNE (only asked when the site opted in): pooled backbone features of at most
   * `max` of the site's own patients or slices under `model`, each with its class label only.
   */
  featureSample?(model: Tensor[], max: number): Promise<FeatureSample>;
  /** Saves `model` (a global model of the federation) in `unbox-site train --out` layout under `dir`. */
  saveModel?(model: Tensor[], dir: string, info: SavedModelInfo): Promise<void>;
  /** the task a saved model serves (<site-dir>/models/<task>/) */
  readonly task?: 'classify' | 'segment';
}

export interface SavedModelInfo {
  run: string;
  round: number;
  modelHash: string;
  /** this site's evaluation of the model, written beside it as evaluation.json */
  evaluation?: Evaluation;
}
