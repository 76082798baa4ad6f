import type { TensorManifest } from '@unbox/protocol';
import { float32LittleEndian, readFloat32LittleEndian } from './bytes.js';
import { FlError } from './errors.js';
import { modelHash } from './model-hash.js';
import { canonicalOrder, elementCount, type Parameters, type Tensor } from './tensors.js';

/** Parameters → one byte string + the manifest that describes it (canonical tensor order). */
export function encodeParameters(params: Parameters): { manifest: TensorManifest; bytes: Uint8Array } {
  const ordered = canonicalOrder(params);
  const hash = modelHash(ordered);
  const total = ordered.reduce((s, t) => s + t.data.byteLength, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const t of ordered) {
    bytes.set(float32LittleEndian(t.data), offset);
    offset += t.data.byteLength;
  }
  return {
    manifest: { dtype: 'float32', tensors: ordered.map((t) => ({ name: t.name, shape: [...t.shape] })), total_bytes: total, model_hash: hash },
    bytes,
  };
}

/** Bytes + manifest → parameters; throws unless the sizes agree and the model hash matches. */
export function decodeParameters(manifest: TensorManifest, bytes: Uint8Array): Tensor[] {
  if (bytes.byteLength !== manifest.total_bytes)
    throw new FlError(`model bytes: got ${bytes.byteLength}, manifest says ${manifest.total_bytes}`);
  let offset = 0;
  const out: Tensor[] = manifest.tensors.map((spec) => {
    const n = elementCount(spec.shape);
    const data = readFloat32LittleEndian(bytes, offset, n);
    offset += 4 * n;
    return { name: spec.name, shape: [...spec.shape], data };
  });
  const hash = modelHash(out);
  if (hash !== manifest.model_hash) throw new FlError(`model hash mismatch: manifest says ${manifest.model_hash}, bytes give ${hash}`);
  return out;
}
