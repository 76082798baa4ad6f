import { createHash } from 'node:crypto';
import { DEFAULT_CHUNK_BYTES, LIMITS } from './limits.js';
import { ProtocolError } from './messages.js';
import type { TensorChunk } from './tensor-frame.js';

/**
 * Splitting a transfer into `tensor.chunk` frames and putting it back together. Node-only
 * (node:crypto), so it is a separate entry point: `@unbox/protocol/transfer`.
 */

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Frames of at most `chunkBytes` bytes each; payloads are views into `bytes`, not copies. */
export function splitIntoChunks(transferId: string, bytes: Uint8Array, chunkBytes = DEFAULT_CHUNK_BYTES): TensorChunk[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > LIMITS.chunkBytes)
    throw new RangeError(`chunkBytes must be an integer in [1, ${LIMITS.chunkBytes}], got ${chunkBytes}`);
  const count = Math.max(1, Math.ceil(bytes.byteLength / chunkBytes));
  if (count > LIMITS.chunks) throw new RangeError(`transfer needs ${count} chunks (max ${LIMITS.chunks}); use larger chunks`);
  const chunks: TensorChunk[] = [];
  for (let index = 0; index < count; index++) {
    const payload = bytes.subarray(index * chunkBytes, Math.min(bytes.byteLength, (index + 1) * chunkBytes));
    chunks.push({ transfer_id: transferId, index, count, hash: sha256Hex(payload), payload });
  }
  return chunks;
}

/**
 * Collects the (already schema-checked) frames of one transfer in any order. Refuses frames of
 * another transfer, a changing count, duplicates, corrupted payloads and more bytes than announced.
 */
export class ChunkAssembler {
  private readonly parts = new Map<number, Uint8Array>();
  private count: number | null = null;
  private received = 0;

  constructor(
    readonly transferId: string,
    /** the byte size announced by the manifest. */
    readonly totalBytes: number,
  ) {}

  /** Adds one frame; throws a ProtocolError naming the field at fault. */
  add(chunk: TensorChunk): void {
    const fail = (field: string, reason: string): never => {
      throw new ProtocolError('tensor.chunk', field, reason, field === 'payload' && reason.startsWith('transfer') ? 'too_large' : 'bad_message');
    };
    if (chunk.transfer_id !== this.transferId) fail('transfer_id', `belongs to another transfer (expected '${this.transferId}')`);
    if (this.count === null) this.count = chunk.count;
    else if (chunk.count !== this.count) fail('count', `changed from ${this.count} to ${chunk.count}`);
    if (chunk.index >= chunk.count) fail('index', 'must be < count');
    if (this.parts.has(chunk.index)) fail('index', `chunk ${chunk.index} was already received`);
    if (sha256Hex(chunk.payload) !== chunk.hash) fail('hash', 'does not match the payload (corrupted frame)');
    if (this.received + chunk.payload.byteLength > this.totalBytes)
      fail('payload', `transfer exceeds its announced ${this.totalBytes} bytes`);
    this.parts.set(chunk.index, chunk.payload);
    this.received += chunk.payload.byteLength;
  }

  get complete(): boolean {
    return this.count !== null && this.parts.size === this.count;
  }

  /** Indices still missing (for a resend request). */
  missing(): number[] {
    if (this.count === null) return [];
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) if (!this.parts.has(i)) out.push(i);
    return out;
  }

  /** The whole transfer; throws unless every frame arrived and the size matches the manifest. */
  bytes(): Uint8Array {
    if (!this.complete) throw new ProtocolError('tensor.chunk', 'index', `transfer incomplete: missing chunks ${this.missing().slice(0, 10).join(', ')}`);
    if (this.received !== this.totalBytes)
      throw new ProtocolError('tensor.chunk', 'payload', `transfer has ${this.received} bytes, manifest announced ${this.totalBytes}`);
    const out = new Uint8Array(this.totalBytes);
    let offset = 0;
    for (let i = 0; i < (this.count ?? 0); i++) {
      const part = this.parts.get(i)!;
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }
}
