import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { RoundOptimizer } from './round-optimizer.js';

/** One Adam step (lr 0.1) on w with the loss c·w, so the gradient is c. */
async function stepOnce(optimizers: RoundOptimizer, w: tf.Variable, c: number, config: { server_round: number; keep_optimizer_state?: boolean }) {
  const { optimizer, resumed } = await optimizers.take({ lr: 0.1, ...config });
  optimizer.minimize(() => tf.mul(c, w).sum() as tf.Scalar, false, [w]);
  optimizers.give(config, optimizer);
  return resumed;
}

describe('RoundOptimizer (train.keep_optimizer_state)', () => {
  it('kept: round 2 continues round 1\'s Adam moments and step count (hand-computed)', async () => {
    const w = tf.variable(tf.scalar(1), true, 'kept_w');
    const o = new RoundOptimizer();
    expect(await stepOnce(o, w, 3, { server_round: 1, keep_optimizer_state: true })).toBe(false);
    expect(w.dataSync()[0]).toBeCloseTo(0.9, 5); // first Adam step: lr · sign(g)
    expect(await stepOnce(o, w, 1, { server_round: 2, keep_optimizer_state: true })).toBe(true);
    // m = 0.9·0.3 + 0.1·1 = 0.37, v = 0.999·0.009 + 0.001 = 0.009991; m̂ = 0.37/0.19, v̂ = 0.009991/0.001999
    expect(w.dataSync()[0]).toBeCloseTo(0.9 - (0.1 * (0.37 / 0.19)) / Math.sqrt(0.009991 / 0.001999), 5);
    o.dispose();
    w.dispose();
  });

  it('fresh by default: every round starts a new Adam (second step again lr · sign(g))', async () => {
    const w = tf.variable(tf.scalar(1), true, 'fresh_w');
    const o = new RoundOptimizer();
    await stepOnce(o, w, 3, { server_round: 1 });
    expect(await stepOnce(o, w, 1, { server_round: 2 })).toBe(false);
    expect(w.dataSync()[0]).toBeCloseTo(0.8, 5);
    o.dispose();
    w.dispose();
  });

  it('drops the kept moments for a round that is not a later one (a new run, or a redone round) or does not ask', async () => {
    const w = tf.variable(tf.scalar(1), true, 'drop_w');
    const o = new RoundOptimizer();
    await stepOnce(o, w, 1, { server_round: 5, keep_optimizer_state: true });
    expect(await stepOnce(o, w, 1, { server_round: 1, keep_optimizer_state: true })).toBe(false);
    expect(await stepOnce(o, w, 1, { server_round: 1, keep_optimizer_state: true })).toBe(false); // redone round 1
    expect(await stepOnce(o, w, 1, { server_round: 2 })).toBe(false);
    expect(await stepOnce(o, w, 1, { server_round: 3, keep_optimizer_state: true })).toBe(false); // round 2 kept nothing
    o.dispose();
    w.dispose();
  });

  it('holds no tensors after dispose', async () => {
    const w = tf.variable(tf.scalar(1), true, 'leak_w');
    const before = tf.memory().numTensors;
    const o = new RoundOptimizer();
    for (let r = 1; r <= 4; r++) await stepOnce(o, w, r, { server_round: r, keep_optimizer_state: true });
    o.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
