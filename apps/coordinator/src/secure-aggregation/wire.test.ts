import { describe, expect, it } from 'vitest';
import { ProtocolError, pack, unpack } from '@unbox/protocol';
import { parseClientMessage } from './wire.js';

const env = (message: unknown) => ({ run_id: 'r', round: 1, ...pack(message) });
const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);

function refusal(f: () => unknown): ProtocolError {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('binary packing', () => {
  it('round-trips Uint8Array (and Buffer) and Uint32Array fields in one blob', () => {
    const m = { a: bytes(3, 7), b: [Buffer.from([1, 2]), { c: Uint32Array.of(1, 0xffffffff, 258) }], s: 'x', n: 5 };
    const p = pack(m);
    expect(p.blob.byteLength).toBe(3 + 2 + 12);
    const back = unpack(p) as { a: Uint8Array; b: [Uint8Array, { c: Uint32Array }]; s: string; n: number };
    expect(Array.from(back.a)).toEqual([7, 7, 7]);
    expect(back.b[0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.b[0])).toBe(false);
    expect(Array.from(back.b[0])).toEqual([1, 2]);
    expect(Array.from(back.b[1].c)).toEqual([1, 0xffffffff, 258]);
    expect([back.s, back.n]).toEqual(['x', 5]);
  });

  it('refuses references outside the blob and unknown kinds', () => {
    expect(() => unpack({ json: '{"a":{"$bin":[2,4,"u8"]}}', blob: bytes(4) })).toThrow(/outside the blob/);
    expect(() => unpack({ json: '{"a":{"$bin":[0,4,"f64"]}}', blob: bytes(4) })).toThrow(/unknown binary kind/);
    expect(() => unpack({ json: '{"a":{"$bin":[0,3,"u32"]}}', blob: bytes(4) })).toThrow(/divisible by 4/);
  });
});

describe('secure-aggregation messages from sites', () => {
  const n = 3;
  const P = 5;
  it('accepts a well-formed masked input with P + 1 words', () => {
    const m = parseClientMessage(env({ type: 'masked-input', sessionId: bytes(32), from: 's1', masked: new Uint32Array(P + 1) }), n, P);
    expect(m.type).toBe('masked-input');
  });

  it('refuses a masked vector of the wrong length, naming the field', () => {
    const e = refusal(() => parseClientMessage(env({ type: 'masked-input', sessionId: bytes(32), from: 's1', masked: new Uint32Array(P + 9) }), n, P));
    expect(e.field).toBe('message.masked');
    expect(e.message).toMatch(/must be 6 words/);
  });

  it('refuses more shares than the roster has sites (too_large) and oversized boxes', () => {
    const share = { from: 's1', to: 's2', nonce: bytes(24), box: bytes(100) };
    const e = refusal(() => parseClientMessage(env({ type: 'share-keys', sessionId: bytes(32), from: 's1', selfMaskCommitment: bytes(32), shares: [share, share, share, share] }), n, P));
    expect(e.code).toBe('too_large');
    expect(e.field).toBe('message.shares');
    const big = refusal(() => parseClientMessage(env({ type: 'share-keys', sessionId: bytes(32), from: 's1', selfMaskCommitment: bytes(32), shares: [{ ...share, box: bytes(5000) }] }), n, P));
    expect(big.field).toBe('message.shares.0.box');
  });

  it('refuses unknown fields, wrong key sizes and an unreadable packing', () => {
    expect(refusal(() => parseClientMessage(env({ type: 'consistency-signature', sessionId: bytes(32), from: 's1', signature: bytes(64), extra: 1 }), n, P)).field).toBe('message.extra');
    expect(refusal(() => parseClientMessage(env({ type: 'advertise-keys', from: 's1', encryptionKey: bytes(31), maskingKey: bytes(32), signature: bytes(64) }), n, P)).field).toBe('message.encryptionKey');
    expect(refusal(() => parseClientMessage({ json: '{', blob: bytes(0) }, n, P)).field).toBe('json');
  });
});
