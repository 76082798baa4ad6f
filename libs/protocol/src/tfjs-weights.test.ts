import { describe, expect, it } from 'vitest';
import { TensorManifest } from './tensor-frame.js';
import { tensorManifestOfTfjs, tfjsWeightsJson, TfjsWeightsJson } from './tfjs-weights.js';

const HASH = 'a'.repeat(64);
const manifest = TensorManifest.parse({ dtype: 'float32', tensors: [{ name: 'conv/kernel', shape: [3, 3, 1, 2] }, { name: 'bn/gamma', shape: [2] }], total_bytes: 4 * (18 + 2), model_hash: HASH });

describe('a model version in the tfjs weights format', () => {
  it('round trips to the protocol manifest: names, shapes, order, bytes and hash', () => {
    const json = tfjsWeightsJson(manifest);
    expect(json).toEqual({ format: 'weights-manifest', generatedBy: 'unbox-coordinator', modelHash: HASH, weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' }, { name: 'bn/gamma', shape: [2], dtype: 'float32' }] }] });
    expect(tensorManifestOfTfjs(TfjsWeightsJson.parse(JSON.parse(JSON.stringify(json))))).toEqual({ manifest, paths: ['weights.bin'] });
  });

  it('sharded groups concatenate in order; duplicate names, other dtypes and paths outside the folder are refused', () => {
    const two = TfjsWeightsJson.parse({ format: 'weights-manifest', generatedBy: 'x', modelHash: HASH, weightsManifest: [
      { paths: ['a.bin', 'b.bin'], weights: [{ name: 'w1', shape: [5], dtype: 'float32' }] },
      { paths: ['c.bin'], weights: [{ name: 'w2', shape: [], dtype: 'float32' }] },
    ] });
    expect(tensorManifestOfTfjs(two)).toEqual({ manifest: { dtype: 'float32', tensors: [{ name: 'w1', shape: [5] }, { name: 'w2', shape: [] }], total_bytes: 24, model_hash: HASH }, paths: ['a.bin', 'b.bin', 'c.bin'] });
    const dup = TfjsWeightsJson.parse({ ...two, weightsManifest: [two.weightsManifest[0], { paths: ['c.bin'], weights: [{ name: 'w1', shape: [1], dtype: 'float32' }] }] });
    expect(() => tensorManifestOfTfjs(dup)).toThrow(/duplicate tensor name 'w1'/);
    expect(TfjsWeightsJson.safeParse({ ...two, weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [1], dtype: 'int32' }] }] }).success).toBe(false);
    expect(TfjsWeightsJson.safeParse({ ...two, weightsManifest: [{ paths: ['../secret.bin'], weights: [] }] }).success).toBe(false);
    expect(TfjsWeightsJson.safeParse({ ...two, modelHash: 'abc' }).success).toBe(false);
  });
});
