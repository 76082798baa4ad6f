/**
 * The Adam optimiser of a site's round. By default a fresh one every round (Flower's and FLARE's
 * usual client). With the fit config's `keep_optimizer_state` (run config
 * train.keep_optimizer_state) the site carries its Adam moments and step count into its next
 * round of the run, as the FixBN paper (Zhong et al. 2023) keeps local momentum: a fresh Adam
 * moves every weight by about ±lr on its first steps whatever its gradient's size, and a
 * hospital's round is often only a handful of steps. The moments are the site's own; nothing of
 * them is sent. They are dropped when the next round is not a later one (a new run starts at round
 * 1; a coordinator that redoes an interrupted round starts it fresh) or does not ask to keep them.
 */
import * as tf from '@tensorflow/tfjs';
import type { FitConfig } from '@unbox/protocol';

export class RoundOptimizer {
  private kept: { round: number; optimizer: tf.Optimizer } | null = null;

  /** The round's Adam at its lr, with the moments kept from this run's previous round when asked and available. */
  async take(config: Pick<FitConfig, 'lr' | 'server_round' | 'keep_optimizer_state'>): Promise<{ optimizer: tf.Optimizer; resumed: boolean }> {
    const optimizer = tf.train.adam(config.lr);
    const kept = this.kept;
    this.kept = null;
    if (!kept) return { optimizer, resumed: false };
    try {
      if (config.keep_optimizer_state !== true || config.server_round <= kept.round) return { optimizer, resumed: false };
      // setWeights copies the moments into the new optimiser's own variables; the step count comes
      // as a fresh scalar ('iter'), which is ours to dispose
      const state = await kept.optimizer.getWeights();
      await optimizer.setWeights(state);
      state[0].tensor.dispose();
      return { optimizer, resumed: true };
    } finally {
      kept.optimizer.dispose();
    }
  }

  /** Hands the round's optimiser back after its fit: kept for the next round when the round asked, else disposed. */
  give(config: Pick<FitConfig, 'server_round' | 'keep_optimizer_state'>, optimizer: tf.Optimizer): void {
    this.kept?.optimizer.dispose();
    this.kept = null;
    if (config.keep_optimizer_state === true) this.kept = { round: config.server_round, optimizer };
    else optimizer.dispose();
  }

  dispose(): void {
    this.kept?.optimizer.dispose();
    this.kept = null;
  }
}
