import { createHash } from 'node:crypto';
import { canonicalOrder, validateParameters, type Parameters } from './tensors.js';
import { float32LittleEndian } from './bytes.js';

const MAGIC = 'unbox-model-v1';

/**
 * SHA-256 (hex) of a model: tensors in canonical (name) order, each as its UTF-8 name, rank,
 * dimensions and float32 little-endian values, all length-prefixed, so two different models
 * never hash the same byte string. Independent of the order the tensors are listed in.
 */
export function modelHash(params: Parameters): string {
  validateParameters(params, 'modelHash');
  const h = createHash('sha256');
  const enc = new TextEncoder();
  const u32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    h.update(b);
  };
  h.update(enc.encode(MAGIC));
  const ordered = canonicalOrder(params);
  u32(ordered.length);
  for (const t of ordered) {
    const name = enc.encode(t.name);
    u32(name.byteLength);
    h.update(name);
    u32(t.shape.length);
    for (const d of t.shape) u32(d);
    u32(t.data.length);
    h.update(float32LittleEndian(t.data));
  }
  return h.digest('hex');
}
