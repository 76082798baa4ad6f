/**
 * A global model received in federation, saved at the site in the layout of `unbox-site train
 * --out` (<dir>/checkpoint/{model/, state.json} and <dir>/evaluation.json), so `unbox-site serve
 * --model <dir>` and `explain --model <dir>` load it like a locally trained one. The weights go
 * into a model instance of its own, never the one training, so a save cannot race a round.
 */
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@unbox/fl';
import { buildNamedModel, saveCheckpoint, writeWeights, type NamedModel } from '@unbox/models';
import { ensureBackend } from '../../training/backend.js';
import { parseTrainConfig } from '../../training/config.js';
import { writeJsonFile } from '../../training/json-file.js';
import type { SavedModelInfo } from '../trainer.js';

export class GlobalModelSaver {
  private model: tf.LayersModel | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly named: NamedModel,
    private readonly seed: number,
  ) {}

  /** Saves one model; saves are written one after another, the last one stays. */
  save(weights: Tensor[], dir: string, info: SavedModelInfo): Promise<void> {
    const next = this.chain.then(() => this.write(weights, dir, info));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async write(weights: Tensor[], dir: string, info: SavedModelInfo): Promise<void> {
    const backend = await ensureBackend();
    this.model ??= buildNamedModel(this.named, this.seed);
    writeWeights(this.model, weights);
    // the training config a local run of this network would have: serve/explain read model and task from it
    const config = parseTrainConfig(this.named.task, { task: this.named.task, seed: this.seed, model: this.named.config }, `model ${this.named.name}`);
    const federated = { run: info.run, round: info.round, model_hash: info.modelHash };
    await saveCheckpoint(join(dir, 'checkpoint'), this.model, null, { step: info.round, seed: this.seed, config, backend: backend.backend, federated });
    if (info.evaluation) await writeJsonFile(join(dir, 'evaluation.json'), { ...info.evaluation, federated });
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}
