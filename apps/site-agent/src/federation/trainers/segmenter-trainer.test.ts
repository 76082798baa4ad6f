/**
 * The segmenter's LocalTrainer on a tiny synthetic head CT/MR consortium: a fit trains from the
 * received weights and counts every training slice; FedProx's μ keeps the update nearer the
 * global model; evaluation is Dice in the wire's evaluation shape; the consortium t-SNE sample is a
 * fixed set of slices, pooled encoder features under the given weights, labelled modality-thickness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConsortium } from '@unbox/data';
import type { Tensor } from '@unbox/fl';
import { Evaluation } from '@unbox/protocol';
import { SegmenterTrainer } from './segmenter-trainer.js';

const distance = (a: Tensor[], b: Tensor[]) => Math.sqrt(a.reduce((s, t, i) => s + t.data.reduce((u, v, j) => u + (v - b[i].data[j]) ** 2, 0), 0));

describe('SegmenterTrainer', () => {
  const root = mkdtempSync(join(tmpdir(), 'unbox-seg-trainer-'));
  let trainer: SegmenterTrainer;
  beforeAll(async () => {
    const data = await writeConsortium(join(root, 'data'), { seed: 3, centres: 1, size: 32, chestPatients: 0, brainCtPatients: 4, brainMrPatients: 4, brainCoverage: 0.4, split: [0.5, 0, 0.5] });
    trainer = await SegmenterTrainer.create({ centre: 'A', manifests: [data.centres[0].manifest], model: 'segmenter:32', seed: 2 });
  }, 60_000);
  afterAll(() => {
    trainer?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('fits from the received weights; a large μ keeps the update closer to the global model', async () => {
    const start = trainer.initialLocal();
    const config = { server_round: 1, local_epochs: 1, batch_size: 4, lr: 0.01, seed: 1 };
    const plain = await trainer.fit(start, start, config);
    const prox = await trainer.fit(start, start, { ...config, proximal_mu: 1000 });
    expect(plain.numExamples).toBe(trainer.trainSlices);
    expect(plain.metrics.steps).toBeGreaterThan(1);
    expect(Number.isFinite(plain.metrics.train_loss)).toBe(true);
    expect(plain.parameters.map((t) => t.name)).toEqual(start.map((t) => t.name));
    const dPlain = distance(plain.parameters, start);
    expect(dPlain).toBeGreaterThan(0);
    expect(distance(prox.parameters, start)).toBeLessThan(dPlain);
  }, 120_000);

  it('evaluates Dice per split in the evaluation shape', async () => {
    const out = await trainer.evaluate(trainer.initialLocal(), ['train', 'test']);
    const e = Evaluation.parse(out.evaluation);
    expect(e.task).toBe('segment');
    const dice = e.splits.test?.dice;
    expect(dice?.CT ?? dice?.MRI).toBeDefined();
    const mixed = (dice?.CT ?? dice?.MRI)?.mixed;
    expect(mixed?.mean).toBeGreaterThanOrEqual(0);
    expect(mixed?.mean).toBeLessThanOrEqual(1);
  }, 60_000);

  it('shares a fixed capped sample of pooled encoder features, labelled by modality and thickness', async () => {
    const w = trainer.initialLocal();
    const a = await trainer.featureSample(w, 5);
    const b = await trainer.featureSample(w, 5);
    expect(a.unit).toBe('slice');
    expect(a.samples).toHaveLength(5);
    expect(a.samples.every((p) => /^(CT|MRI)-(thick|thin)$/.test(p.label))).toBe(true);
    // the last encoder stage of segmenter:32 (ResNet-18 at width 1/8): 64 channels
    expect(a.samples.every((p) => p.values.length === 64 && p.values.every(Number.isFinite))).toBe(true);
    // the same slices every round, so rounds compare
    expect(b.samples.map((p) => Array.from(p.values))).toEqual(a.samples.map((p) => Array.from(p.values)));
    // computed under the weights given: other weights, other features
    const other = w.map((t) => ({ ...t, data: t.name.includes('kernel') ? t.data.map((v) => v * 1.5) : t.data }));
    const c = await trainer.featureSample(other, 5);
    expect(c.samples.map((p) => Array.from(p.values))).not.toEqual(a.samples.map((p) => Array.from(p.values)));
  }, 60_000);
});
