import { describe, expect, it } from 'vitest';
import { FlError } from './errors.js';
import { modelHash } from './model-hash.js';
import { decodeParameters, encodeParameters } from './serialize.js';
import { applyReceived, validateParameters } from './tensors.js';
import { t, values } from './testing/params.js';

const model = [t('dense/kernel', [1, 2, 3, 4, 5, 6], [2, 3]), t('dense/bias', [0.5, -0.5, 0]), t('bn/gamma', [1])];

describe('parameters', () => {
  it('refuses duplicate names and sizes that disagree with shapes, naming the tensor', () => {
    expect(() => validateParameters([t('a', [1]), t('a', [2])])).toThrow(/duplicate tensor 'a'/);
    expect(() => validateParameters([t('a', [1, 2, 3], [2, 2])])).toThrow(/'a' has 3 values but shape \[2, 2\] needs 4/);
    expect(() => validateParameters([t('a', [1], [-1])])).toThrow(FlError);
  });

  it('applies a partial model: received tensors replace, the rest stay', () => {
    const merged = applyReceived(model, [t('dense/bias', [9, 9, 9])]);
    expect(values(merged, 'dense/bias')).toEqual([9, 9, 9]);
    expect(values(merged, 'bn/gamma')).toEqual([1]);
    expect(() => applyReceived(model, [t('dense/bias', [1, 2])])).toThrow(/shape \[2\]/);
    expect(() => applyReceived(model, [t('other', [1])])).toThrow(/'other' is not part of the local model/);
  });

  it('keeps the local value of received tensors matching keep_local (SiloBN), and takes the others', () => {
    const local = [...model, t('bn/moving_mean', [3]), t('bn/moving_variance', [4])];
    const received = [t('dense/bias', [9, 9, 9]), t('bn/gamma', [2]), t('bn/moving_mean', [0]), t('bn/moving_variance', [1])];
    const merged = applyReceived(local, received, ['moving_(mean|variance)$']);
    expect(values(merged, 'dense/bias')).toEqual([9, 9, 9]);
    expect(values(merged, 'bn/gamma')).toEqual([2]);
    expect(values(merged, 'bn/moving_mean')).toEqual([3]);
    expect(values(merged, 'bn/moving_variance')).toEqual([4]);
    // a kept tensor of the wrong shape is still refused: it is the same network or none
    expect(() => applyReceived(local, [t('bn/moving_mean', [0, 0])], ['moving_mean$'])).toThrow(/'bn\/moving_mean' has shape \[2\]/);
    expect(() => applyReceived(local, received, ['('])).toThrow(/keep_local: '\(' is not a valid regular expression/);
  });
});

describe('modelHash', () => {
  it('is independent of tensor order and sensitive to names, shapes and every value', () => {
    const h = modelHash(model);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(modelHash([...model].reverse())).toBe(h);
    expect(modelHash([t('dense/kernel', [1, 2, 3, 4, 5, 6], [3, 2]), model[1], model[2]])).not.toBe(h);
    expect(modelHash([t('dense/kernelx', [1, 2, 3, 4, 5, 6], [2, 3]), model[1], model[2]])).not.toBe(h);
    const nudged = [t('dense/kernel', [1, 2, 3, 4, 5, Math.fround(6) + 2 ** -21], [2, 3]), model[1], model[2]];
    expect(modelHash(nudged)).not.toBe(h);
  });

  it('does not confuse name and value boundaries (length-prefixed encoding)', () => {
    expect(modelHash([t('a', [1, 2])])).not.toBe(modelHash([t('a', [1]), t('b', [2])]));
  });
});

describe('encode/decode', () => {
  it('round-trips bit-exactly in canonical order with the model hash in the manifest', () => {
    const { manifest, bytes } = encodeParameters(model);
    expect(manifest.tensors.map((x) => x.name)).toEqual(['bn/gamma', 'dense/bias', 'dense/kernel']);
    expect(manifest.total_bytes).toBe(40);
    expect(manifest.model_hash).toBe(modelHash(model));
    // little-endian float32: bn/gamma = 1.0 = 0x3f800000 first
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    const back = decodeParameters(manifest, bytes);
    expect(values(back, 'dense/kernel')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(back.find((x) => x.name === 'dense/kernel')!.shape).toEqual([2, 3]);
  });

  it('decodes a Node Buffer, also one inside a larger allocation (Buffer.slice shares memory, Uint8Array.slice copies)', () => {
    const { manifest, bytes } = encodeParameters(model);
    const whole = Buffer.concat([Buffer.alloc(12, 7), Buffer.from(bytes)]);
    expect(decodeParameters(manifest, whole.subarray(12))).toEqual(decodeParameters(manifest, bytes));
    expect(decodeParameters(manifest, Buffer.from(bytes))).toEqual(decodeParameters(manifest, bytes));
  });

  it('refuses bytes that do not match the manifest', () => {
    const { manifest, bytes } = encodeParameters(model);
    const tampered = bytes.slice();
    tampered[5] ^= 1;
    expect(() => decodeParameters(manifest, tampered)).toThrow(/model hash mismatch/);
    expect(() => decodeParameters(manifest, bytes.subarray(0, 36))).toThrow(/got 36, manifest says 40/);
  });
});
