/**
 * A stored global model version in the tfjs weights format, as the coordinator exports it (REST
 * `GET /api/models/<run>/<round>/model.json` + `weights.bin`, `unbox-coordinator models export`):
 * tf.io.loadWeights reads it, and a site evaluates it with `unbox-site eval --weights`. The model
 * hash travels with it, so a reader checks it got the version it was told about.
 */
import { z } from 'zod';
import { Sha256Hex } from './common.js';
import { TensorManifest, TensorSpec } from './tensor-frame.js';

const WeightsGroup = z.strictObject({
  /** weight files of the group, relative to model.json, concatenated in this order */
  paths: z.array(z.string().min(1).refine((p) => !p.includes('/') && !p.includes('\\') && p !== '..', 'must be a file name next to model.json')).min(1),
  weights: z.array(TensorSpec.extend({ dtype: z.literal('float32') })),
});

export const TfjsWeightsJson = z.object({
  format: z.literal('weights-manifest'),
  generatedBy: z.string(),
  modelHash: Sha256Hex,
  weightsManifest: z.array(WeightsGroup).min(1),
});
export type TfjsWeightsJson = z.infer<typeof TfjsWeightsJson>;

/** The export of a version whose tensors (in manifest order) are the bytes of one `weights.bin`. */
export function tfjsWeightsJson(manifest: TensorManifest): TfjsWeightsJson {
  return {
    format: 'weights-manifest',
    generatedBy: 'unbox-coordinator',
    modelHash: manifest.model_hash,
    weightsManifest: [{ paths: ['weights.bin'], weights: manifest.tensors.map((t) => ({ name: t.name, shape: [...t.shape], dtype: 'float32' as const })) }],
  };
}

/**
 * The protocol's tensor manifest of an export and the weight files to concatenate, in order.
 * Throws a zod error when the tensors are malformed (duplicate names, bad shapes).
 */
export function tensorManifestOfTfjs(json: TfjsWeightsJson): { manifest: TensorManifest; paths: string[] } {
  const tensors = json.weightsManifest.flatMap((g) => g.weights.map((w) => ({ name: w.name, shape: [...w.shape] })));
  const total = tensors.reduce((a, t) => a + 4 * t.shape.reduce((x, y) => x * y, 1), 0);
  const manifest = TensorManifest.parse({ dtype: 'float32', tensors, total_bytes: total, model_hash: json.modelHash });
  return { manifest, paths: json.weightsManifest.flatMap((g) => g.paths) };
}
