import { describe, expect, it } from 'vitest';
import type { FitConfig } from '@unbox/protocol';
import { logLoss, LogisticTrainer, syntheticCentre } from './logistic-trainer.js';

const model = (w: number[], b: number) => [
  { name: 'dense/kernel', shape: [w.length, 1], data: Float32Array.from(w) },
  { name: 'dense/bias', shape: [1], data: Float32Array.of(b) },
];
const cfg = (over: Partial<FitConfig> = {}): FitConfig => ({ server_round: 1, local_epochs: 1, batch_size: 2, lr: 0.5, ...over });

describe('logistic trainer', () => {
  it('evaluation metrics by hand: AUC by rank sums with ties counted one half, null with one class', async () => {
    // w = 1, b = 0: the scores σ(x) keep the order of x; one positive (0.35) below one negative (0.4): AUC 3/4
    const t = new LogisticTrainer('c', {
      train: { x: Float32Array.of(0.1, 0.4, 0.35, 0.8), y: Uint8Array.of(0, 0, 1, 1), d: 1 },
      val: { x: Float32Array.of(0.5, 0.5, 0.5, 0.5), y: Uint8Array.of(0, 1, 0, 1), d: 1 },
      test: { x: Float32Array.of(1, 2), y: Uint8Array.of(1, 1), d: 1 },
    });
    const { evaluation } = await t.evaluate(model([1], 0), ['train', 'val', 'test']);
    const image = (s: 'train' | 'val' | 'test') => (evaluation.splits[s] as { image: { auc: number | null; acc: number | null } }).image;
    expect(image('train').auc).toBe(0.75);
    // every score σ(0) = 0.5 ≥ 0.5: all predicted positive, half right
    expect(image('val')).toMatchObject({ auc: 0.5, acc: 0.5 });
    expect(image('test').auc).toBeNull();
  });

  it('one SGD step matches the hand-computed gradient of the mean cross-entropy', async () => {
    // x = [1], [2]; y = 1, 0; w = 0, b = 0: p = 0.5 for both
    // dL/dw = ((0.5 − 1)·1 + (0.5 − 0)·2) / 2 = 0.25; dL/db = (−0.5 + 0.5) / 2 = 0
    const t = new LogisticTrainer('c', { train: { x: Float32Array.of(1, 2), y: Uint8Array.of(1, 0), d: 1 } });
    const out = await t.fit(model([0], 0), model([0], 0), cfg());
    expect(out.parameters[0].data[0]).toBeCloseTo(-0.125, 6);
    expect(out.parameters[1].data[0]).toBeCloseTo(0, 6);
    expect(out.numExamples).toBe(2);
    expect(out.metrics.train_loss).toBeCloseTo(logLoss({ x: Float32Array.of(1, 2), y: Uint8Array.of(1, 0), d: 1 }, Float32Array.of(-0.125), 0), 6);
  });

  it("FedProx: μ·(w − w_global) is added to the gradient", async () => {
    // same data, local start w = 1, global w = 0, μ = 2: p = σ(1) = 0.7311, σ(2) = 0.8808
    const t = new LogisticTrainer('c', { train: { x: Float32Array.of(1, 2), y: Uint8Array.of(1, 0), d: 1 } });
    const s1 = 1 / (1 + Math.exp(-1));
    const s2 = 1 / (1 + Math.exp(-2));
    const gw = ((s1 - 1) * 1 + s2 * 2) / 2 + 2 * (1 - 0);
    const gb = ((s1 - 1) + s2) / 2 + 2 * (0 - 0);
    const out = await t.fit(model([1], 0), model([0], 0), cfg({ proximal_mu: 2, lr: 0.1 }));
    expect(out.parameters[0].data[0]).toBeCloseTo(1 - 0.1 * gw, 5);
    expect(out.parameters[1].data[0]).toBeCloseTo(-0.1 * gb, 5);
  });

  it('learns separable synthetic data and reports the Evaluation shape', async () => {
    const t = new LogisticTrainer('centre-x', { train: syntheticCentre({ n: 200, d: 4, seed: 1 }), test: syntheticCentre({ n: 100, d: 4, seed: 2 }) });
    const init = model([0, 0, 0, 0], 0);
    const before = await t.evaluate(init, ['test']);
    const out = await t.fit(init, init, cfg({ local_epochs: 5, batch_size: 16, lr: 0.3 }));
    const after = await t.evaluate(out.parameters, ['train', 'test']);
    expect(after.loss!).toBeLessThan(before.loss!);
    expect(after.evaluation.splits.test!.image!.auc!).toBeGreaterThan(0.9);
    expect(after.evaluation).toMatchObject({ task: 'classify', backend: 'ts-cpu', splits: { train: { centre: 'centre-x' }, test: { centre: 'centre-x' } } });
    expect(after.numExamples).toBe(100);
  });
});
