import { z } from 'zod';
import { Sha256Hex, TransferId } from './common.js';
import { LIMITS } from './limits.js';

/**
 * Models travel as one byte string (float32, little-endian, tensors in manifest order) split into
 * binary frames. The manifest says what the bytes are; the frames carry them.
 */
export const TensorSpec = z.strictObject({
  name: z
    .string()
    .min(1, 'must not be empty')
    .max(LIMITS.tensorName, `too long (max ${LIMITS.tensorName} characters)`),
  shape: z
    .array(z.number().int().min(0).max(2 ** 31 - 1))
    .max(LIMITS.tensorRank, `rank too high (max ${LIMITS.tensorRank})`),
});

export const TensorManifest = z
  .strictObject({
    dtype: z.literal('float32'),
    tensors: z.array(TensorSpec).max(LIMITS.tensors, `too many tensors (max ${LIMITS.tensors})`),
    total_bytes: z.number().int().min(0).max(LIMITS.transferBytes, `model too large (max ${LIMITS.transferBytes} bytes)`),
    /** SHA-256 over the tensors in canonical order (`@unbox/fl` modelHash). */
    model_hash: Sha256Hex,
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    let bytes = 0;
    m.tensors.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tensors', i, 'name'], message: `duplicate tensor name '${t.name}'` });
      seen.add(t.name);
      bytes += 4 * t.shape.reduce((a, b) => a * b, 1);
    });
    if (bytes !== m.total_bytes)
      ctx.addIssue({ code: 'custom', path: ['total_bytes'], message: `is ${m.total_bytes} but the tensors need ${bytes} bytes` });
  });

/** Node's Buffer is a Uint8Array; a browser socket.io client delivers an ArrayBuffer. */
const Bytes = z
  .union([z.instanceof(Uint8Array), z.instanceof(ArrayBuffer)], { error: 'expected binary data (Uint8Array)' })
  .transform((b): Uint8Array => (b instanceof Uint8Array ? b : new Uint8Array(b)))
  .refine((b) => b.byteLength <= LIMITS.chunkBytes, `payload too large (max ${LIMITS.chunkBytes} bytes)`);

/** One binary frame of a transfer; `hash` is the SHA-256 of `payload`. */
export const TensorChunk = z
  .strictObject({
    transfer_id: TransferId,
    index: z.number().int().min(0),
    count: z.number().int().min(1).max(LIMITS.chunks, `too many chunks (max ${LIMITS.chunks})`),
    hash: Sha256Hex,
    payload: Bytes,
  })
  .refine((c) => c.index < c.count, { message: 'must be < count', path: ['index'] });

/** A model offered for download: what it is and which transfer carries it. */
export const ModelOffer = z.strictObject({ transfer_id: TransferId, manifest: TensorManifest });

export type TensorSpec = z.infer<typeof TensorSpec>;
export type TensorManifest = z.infer<typeof TensorManifest>;
export type TensorChunk = z.infer<typeof TensorChunk>;
export type ModelOffer = z.infer<typeof ModelOffer>;
