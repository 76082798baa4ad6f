/**
 * One local optimisation step of a federated site: gradients of
 *   task loss + L2 weight decay on the kernels + (μ/2)·‖w − w_global‖²  (FedProx, Li et al. 2020)
 * w.r.t. every trainable weight, applied by the round's optimiser. The proximal term covers the
 * trainable weights the coordinator sent (FedBN-local ones are not sent, so not anchored).
 */
import * as tf from '@tensorflow/tfjs';
import { hashSeed } from '@unbox/data';
import type { Tensor } from '@unbox/fl';
import { kernels, setBatchNormStatisticsFrozen, setDropoutStep, stepSeed, trainableVariables, weightDecay } from '@unbox/models';
import type { FitConfig } from '@unbox/protocol';
import type { RoundOptimizer } from './round-optimizer.js';

/**
 * A site's random stream of a round: patient sampling, slice windows, augmentation views and (via
 * `dropoutStream`) dropout masks. A function of (run seed, round, site) only, so a round replays
 * exactly, and no two sites draw the same crops, flips, scanner jitter or masks: with one stream
 * per round, every site of a round drew identical augmentation at every step, a third of the
 * augmentation diversity a centralised run of the same steps sees.
 */
export const roundSeed = (config: Pick<FitConfig, 'seed' | 'server_round'>, site: string): number =>
  hashSeed('round', config.seed ?? 0, config.server_round, site);

export class LocalStep {
  private readonly vars: tf.Variable[];
  private readonly kernels: tf.Variable[];
  private readonly anchors: { v: tf.Variable; g: tf.Tensor }[];
  /** steps taken through `step` this round (the step index of the augmentation draws) */
  steps = 0;
  /** the site's random stream of this round (`roundSeed`): the trainer's sampling and views draw from it */
  readonly seed: number;
  /** the dropout masks' stream, apart from the views' (viewRng and setDropoutStep both go through stepSeed) */
  private readonly dropoutStream: number;

  /**
   * The round's step: L2 decay at the round's weight_decay (else the model's `weightDecay`), Adam at the round's lr (fresh, or with the moments of the site's previous
   * round when the round says keep_optimizer_state), FedProx μ when the coordinator sent one, and
   * the batch-norm statistics frozen at the received model's when the round says so (FixBN),
   * released otherwise. `dispose` hands the optimiser back to `optimizers`. `site` names the site's
   * own random stream (`roundSeed`).
   */
  static async forRound(model: tf.LayersModel, global: readonly Tensor[], config: FitConfig, weightDecay: number, optimizers: RoundOptimizer, site: string): Promise<LocalStep> {
    setBatchNormStatisticsFrozen(model, config.freeze_bn_statistics === true);
    const { optimizer } = await optimizers.take(config);
    return new LocalStep(model, global, { mu: config.proximal_mu ?? 0, weightDecay: config.weight_decay ?? weightDecay, seed: roundSeed(config, site) }, optimizer, (o) => optimizers.give(config, o));
  }

  constructor(
    private readonly model: tf.LayersModel,
    global: readonly Tensor[],
    private readonly o: { mu: number; weightDecay: number; seed: number },
    readonly optimizer: tf.Optimizer,
    private readonly release: (optimizer: tf.Optimizer) => void,
  ) {
    this.seed = o.seed;
    this.dropoutStream = hashSeed(o.seed, 'dropout');
    this.vars = trainableVariables(model);
    this.kernels = kernels(model);
    const byName = new Map(global.map((t) => [t.name, t]));
    this.anchors = o.mu > 0
      ? model.trainableWeights.flatMap((w, i) => {
        const g = byName.get(w.originalName);
        return g ? [{ v: this.vars[i], g: tf.tensor(g.data, [...g.shape]) }] : [];
      })
      : [];
  }

  /** Runs one step; returns the total loss, throwing when it is not finite. */
  run(loss: () => tf.Scalar): number {
    const { value, grads } = tf.variableGrads(() => {
      const total = tf.add(loss(), weightDecay(this.kernels, this.o.weightDecay));
      if (this.anchors.length === 0) return total as tf.Scalar;
      const prox = tf.addN(this.anchors.map((a) => tf.sum(tf.square(tf.sub(a.v, a.g)))));
      return tf.add(total, tf.mul(this.o.mu / 2, prox)) as tf.Scalar;
    }, this.vars);
    this.optimizer.applyGradients(grads);
    const v = value.dataSync()[0];
    tf.dispose([value, grads]);
    if (!Number.isFinite(v)) throw new Error(`local training diverged: loss is ${v}`);
    return v;
  }

  /**
   * `run`, counted in `steps`, then a yield to the event loop; returns the step's loss. Every step
   * draws fresh dropout masks (StepDropout), from the site's stream for this round: without this
   * a site trained the same mask every step of every round, a fixed 30 % sub-network whose
   * training loss reached 0 while the whole network's predictions were all negative.
   */
  async step(loss: () => tf.Scalar): Promise<number> {
    setDropoutStep(this.model, stepSeed(this.dropoutStream, this.steps));
    const v = this.run(loss);
    this.steps++;
    await yieldToEventLoop();
    return v;
  }

  dispose(): void {
    tf.dispose(this.anchors.map((a) => a.g));
    this.release(this.optimizer);
  }
}

/**
 * Training blocks the event loop; the agent's socket must still answer the coordinator's pings
 * (socket.io drops a connection silent for pingInterval + pingTimeout), so each step yields.
 */
export const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export function shuffled(n: number, r: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
