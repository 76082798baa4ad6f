import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMessageOrThrow, ProtocolError } from './messages.js';
import { ChunkAssembler, sha256Hex, splitIntoChunks } from './transfer.js';

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);

describe('chunked transfer', () => {
  it('splits into frames that pass the schema and reassemble in any order', () => {
    const chunks = splitIntoChunks('t-1', bytes, 300);
    expect(chunks.map((c) => c.payload.byteLength)).toEqual([300, 300, 300, 100]);
    expect(chunks.every((c) => c.count === 4)).toBe(true);
    const a = new ChunkAssembler('t-1', bytes.byteLength);
    for (const c of [chunks[2], chunks[0], chunks[3], chunks[1]]) a.add(parseMessageOrThrow('tensor.chunk', c));
    expect(a.complete).toBe(true);
    expect(a.bytes()).toEqual(bytes);
  });

  it('sends an empty transfer as one empty frame', () => {
    const chunks = splitIntoChunks('t', new Uint8Array(0));
    expect(chunks).toHaveLength(1);
    const a = new ChunkAssembler('t', 0);
    a.add(chunks[0]);
    expect(a.bytes().byteLength).toBe(0);
  });

  it('refuses corrupted, duplicate, foreign and surplus frames, naming the field', () => {
    const chunks = splitIntoChunks('t-1', bytes, 500);
    const a = new ChunkAssembler('t-1', bytes.byteLength);
    const fieldOf = (f: () => void) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
        return (e as ProtocolError).field;
      }
      throw new Error('expected a ProtocolError');
    };
    const corrupted = { ...chunks[0], payload: chunks[0].payload.slice() };
    corrupted.payload[0] ^= 1;
    expect(fieldOf(() => a.add(corrupted))).toBe('hash');
    expect(fieldOf(() => a.add({ ...chunks[0], transfer_id: 't-2' }))).toBe('transfer_id');
    a.add(chunks[0]);
    expect(fieldOf(() => a.add(chunks[0]))).toBe('index');
    expect(fieldOf(() => a.add({ ...chunks[1], count: 3 }))).toBe('count');
    expect(a.missing()).toEqual([1]);
    expect(fieldOf(() => a.bytes())).toBe('index');
    const small = new ChunkAssembler('t-1', 600);
    small.add(chunks[0]);
    expect(fieldOf(() => small.add(chunks[1]))).toBe('payload');
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('refuses a chunk size outside the limit', () => {
    expect(() => splitIntoChunks('t', bytes, 0)).toThrow(/chunkBytes/);
  });
});

describe('chunked transfer (property)', () => {
  it('reassembles any byte string split at any chunk size, received in any order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 700 }), fc.integer(), (data, size, shuffleSeed) => {
        const chunks = splitIntoChunks('t', data, size);
        // deterministic shuffle from the seed
        const order = chunks.map((_, i) => i).sort((a, b) => ((a * 2654435761 + shuffleSeed) >>> 0) % 97 - ((b * 2654435761 + shuffleSeed) >>> 0) % 97);
        const a = new ChunkAssembler('t', data.byteLength);
        for (const i of order) a.add(parseMessageOrThrow('tensor.chunk', chunks[i]));
        expect(a.bytes()).toEqual(data);
      }),
      { numRuns: 200, seed: 1 },
    );
  });
});
