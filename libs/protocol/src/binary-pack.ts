/**
 * Secure-aggregation messages hold many small binary fields (keys, signatures, boxes: 3 per site
 * in a share-keys request). socket.io sends each binary field as its own attachment and caps them
 * per packet (10 by default, a DoS guard worth keeping), so a message travels packed instead: the
 * binary fields are concatenated into one `blob` and the JSON keeps `{ "$bin": [offset, length, kind] }`
 * references (kind u8 = Uint8Array, u32 = Uint32Array as little-endian words). Coordinator and site
 * agent share this one codec.
 */
export interface Packed {
  json: string;
  blob: Uint8Array;
}

export function pack(value: unknown): Packed {
  const parts: Uint8Array[] = [];
  let offset = 0;
  // the holder's own value: JSON.stringify hands the replacer a Buffer already turned into JSON by toJSON
  const json = JSON.stringify(value, function (this: Record<string, unknown>, k: string, value: unknown) {
    const v = k === '' ? value : this[k];
    if (v instanceof Uint8Array) {
      parts.push(v);
      const ref = { $bin: [offset, v.byteLength, 'u8'] };
      offset += v.byteLength;
      return ref;
    }
    if (v instanceof Uint32Array) {
      const b = new Uint8Array(v.length * 4);
      const dv = new DataView(b.buffer);
      for (let i = 0; i < v.length; i++) dv.setUint32(4 * i, v[i], true);
      parts.push(b);
      const ref = { $bin: [offset, b.byteLength, 'u32'] };
      offset += b.byteLength;
      return ref;
    }
    return value;
  });
  const blob = new Uint8Array(offset);
  let o = 0;
  for (const p of parts) {
    blob.set(p, o);
    o += p.byteLength;
  }
  return { json, blob };
}

/** Inverse of pack; throws on a malformed reference or one outside the blob. */
export function unpack(p: Packed): unknown {
  const value = JSON.parse(p.json, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && '$bin' in v) {
      const ref = (v as { $bin: unknown }).$bin;
      if (!Array.isArray(ref) || ref.length !== 3) throw new Error('bad binary reference');
      const [off, len, kind] = ref as [number, number, string];
      if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > p.blob.byteLength) throw new Error('binary reference outside the blob');
      // a plain Uint8Array copy (a Buffer's slice would share memory and keep Buffer's toJSON)
      const bytes = Uint8Array.prototype.slice.call(p.blob, off, off + len);
      if (kind === 'u8') return bytes;
      if (kind === 'u32') {
        if (len % 4 !== 0) throw new Error('u32 field of a length not divisible by 4');
        const dv = new DataView(bytes.buffer);
        const w = new Uint32Array(len / 4);
        for (let i = 0; i < w.length; i++) w[i] = dv.getUint32(4 * i, true);
        return w;
      }
      throw new Error(`unknown binary kind '${String(kind)}'`);
    }
    return v;
  });
  return value;
}
