/**
 * Local training is pluggable: the agent hands a model and the round's fit config to a
 * LocalTrainer and sends back only what it returns (parameters go through secure aggregation,
 * metrics as numbers). The tfjs classifier/segmenter trainers of @unbox/models plug in here.
 */
import type { Tensor } from '@unbox/fl';
import type { EvalSplit, Evaluation, FitConfig } from '@unbox/protocol';

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
}
