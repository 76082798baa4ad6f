/** Byte helpers and the one canonical encoding used for everything that is hashed or signed. */

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(s)) throw new Error(`not a hex string: ${s.slice(0, 16)}…`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function isAllZero(a: Uint8Array): boolean {
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i];
  return d === 0;
}

export type Field = string | number | Uint8Array;

/**
 * Unambiguous concatenation: each field is a type tag, a 32-bit length and its bytes (strings in
 * UTF-8, numbers as float64), so no two different field lists encode to the same bytes.
 */
export function encodeFields(fields: readonly Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const f of fields) {
    let tag: number;
    let body: Uint8Array;
    if (typeof f === 'string') {
      tag = 1;
      body = new TextEncoder().encode(f);
    } else if (typeof f === 'number') {
      tag = 2;
      body = new Uint8Array(8);
      new DataView(body.buffer).setFloat64(0, f, false);
    } else {
      tag = 3;
      body = f;
    }
    const head = new Uint8Array(5);
    head[0] = tag;
    new DataView(head.buffer).setUint32(1, body.length, false);
    parts.push(head, body);
    total += 5 + body.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Inverse of encodeFields for byte and string fields (used for share plaintexts). */
export function decodeFields(data: Uint8Array): Field[] {
  const out: Field[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = 0;
  while (o < data.length) {
    if (o + 5 > data.length) throw new Error('truncated field header');
    const tag = data[o];
    const len = view.getUint32(o + 1, false);
    o += 5;
    if (o + len > data.length) throw new Error('truncated field body');
    const body = data.subarray(o, o + len);
    o += len;
    if (tag === 1) out.push(new TextDecoder('utf-8', { fatal: true }).decode(body));
    else if (tag === 2 && len === 8) out.push(new DataView(body.buffer, body.byteOffset, 8).getFloat64(0, false));
    else if (tag === 3) out.push(body.slice());
    else throw new Error(`unknown field tag ${tag}`);
  }
  return out;
}
