/**
 * The tfjs models' weights as the federation exchanges them: stable layer names in every process,
 * exact round trip through writeWeights/readWeights, clear errors on a mismatched model, and
 * FedBN's default patterns keep exactly the batch-norm tensors local, SiloBN's exactly their statistics.
 */
import { describe, expect, it } from 'vitest';
import { FedBN, SiloBN } from '@unbox/fl';
import { buildNamedModel, namedModel, readWeights, writeWeights } from '@unbox/models';

describe('tfjs model weights on the wire', () => {
  const m = namedModel('classifier:32');

  it('two builds in one process give the same names (no per-process suffixes) and seeded values', () => {
    const a = buildNamedModel(m, 4);
    const b = buildNamedModel(m, 4);
    const wa = readWeights(a);
    const wb = readWeights(b);
    expect(wb.map((t) => t.name)).toEqual(wa.map((t) => t.name));
    expect(wa.every((t) => !/_\d+$/.test(t.name))).toBe(true);
    expect(wb[0].data).toEqual(wa[0].data);
    a.dispose();
    b.dispose();
  });

  it('writeWeights then readWeights returns the written values; a missing or misshapen tensor is refused by name', () => {
    const model = buildNamedModel(m, 1);
    const w = readWeights(model).map((t, i) => ({ ...t, data: t.data.map((_, j) => (i + j) % 7) }));
    writeWeights(model, w);
    const back = readWeights(model);
    expect(back.map((t) => Array.from(t.data))).toEqual(w.map((t) => Array.from(t.data)));
    expect(() => writeWeights(model, w.slice(1))).toThrow(`received model lacks the weight '${w[0].name}'`);
    const bad = w.map((t, i) => (i === 0 ? { ...t, shape: [1, ...t.shape] } : t));
    expect(() => writeWeights(model, bad)).toThrow(/received shape \[1,7,7,1,8\]/);
    expect(() => writeWeights(model, [...w, { name: 'extra/kernel', shape: [1], data: new Float32Array(1) }])).toThrow("'extra/kernel'");
    model.dispose();
  });

  it("FedBN's default patterns keep every batch-norm tensor (γ, β, moving mean/variance) local and share the rest", () => {
    const model = buildNamedModel(m, 1);
    const names = readWeights(model).map((t) => t.name);
    model.dispose();
    const fedbn = new FedBN({ training: { localEpochs: 1, batchSize: 2, lr: 0.001 } });
    const local = names.filter((n) => !fedbn.isShared(n));
    const bn = names.filter((n) => /_bn\/(gamma|beta|moving_mean|moving_variance)$/.test(n));
    expect(bn.length).toBeGreaterThan(0);
    expect(bn.length % 4).toBe(0);
    expect(local).toEqual(bn);
    expect(names.filter((n) => /conv\/kernel$/.test(n)).every((n) => fedbn.isShared(n))).toBe(true);
  });

  it("SiloBN's default patterns name exactly the batch-norm moving statistics: sent and averaged, kept by each site", () => {
    const model = buildNamedModel(m, 1);
    const names = readWeights(model).map((t) => t.name);
    model.dispose();
    const silobn = new SiloBN({ training: { localEpochs: 1, batchSize: 2, lr: 0.001 } });
    expect(names.every((n) => silobn.isShared(n))).toBe(true);
    const kept = names.filter((n) => silobn.keepLocalPatterns.some((p) => new RegExp(p, 'i').test(n)));
    const stats = names.filter((n) => /_bn\/moving_(mean|variance)$/.test(n));
    expect(stats.length).toBeGreaterThan(0);
    expect(kept).toEqual(stats);
  });
});
