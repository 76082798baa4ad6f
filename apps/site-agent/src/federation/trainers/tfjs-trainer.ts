/**
 * What the site's two tfjs trainers (classifier, segmenter) share: the model they train, the saver
 * of global models, the pooled backbone features of the consortium t-SNE, and which splits an
 * evaluation scores. Each subclass owns its data, its round's fit and its metrics.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@unbox/fl';
import { namedModel, readWeights } from '@unbox/models';
import type { EvalSplit } from '@unbox/protocol';
import type { SavedModelInfo } from '../trainer.js';
import { PooledFeatures } from './pooled-features.js';
import { RoundOptimizer } from './round-optimizer.js';
import { GlobalModelSaver } from './saved-model.js';

export abstract class TfjsTrainer<Options extends { model: string; seed?: number }> {
  protected readonly pooled: PooledFeatures;
  /** the round's Adam, kept between rounds when the run asks (train.keep_optimizer_state) */
  protected readonly optimizers = new RoundOptimizer();
  private readonly saver: GlobalModelSaver;

  protected constructor(
    protected readonly o: Options,
    protected readonly model: tf.LayersModel,
  ) {
    this.pooled = new PooledFeatures(model);
    this.saver = new GlobalModelSaver(namedModel(o.model), o.seed ?? 1);
  }

  /** The site's own initial weights: FedBN's local batch-norm tensors start here. */
  initialLocal(): Tensor[] {
    return readWeights(this.model);
  }

  async saveModel(weights: Tensor[], dir: string, info: SavedModelInfo): Promise<void> {
    await this.saver.save(weights, dir, info);
  }

  dispose(): void {
    this.saver.dispose();
    this.optimizers.dispose();
    this.model.dispose();
  }
}

/**
 * The splits an evaluation scores: those asked for that hold data, else the training split, so a
 * site without held-out data still reports; throws when not even that holds data.
 */
export function scoredSplits(asked: readonly EvalSplit[], holdsData: (s: EvalSplit) => boolean): EvalSplit[] {
  const scored = asked.filter(holdsData);
  if (scored.length > 0) return scored;
  if (holdsData('train')) return ['train'];
  throw new Error(`no data to evaluate in the ${[...new Set([...asked, 'train'])].join(', ')} split(s)`);
}
