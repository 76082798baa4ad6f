/** float32 ↔ little-endian bytes, the byte order of hashes and transfers on any host. */
const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The values as little-endian bytes (a view, not a copy, on little-endian hosts). */
export function float32LittleEndian(data: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** `count` float32 values read from little-endian `bytes` at `offset` (a copy). */
export function readFloat32LittleEndian(bytes: Uint8Array, offset: number, count: number): Float32Array {
  // Uint8Array's slice copies; a Node Buffer's own slice is a view into a larger (pooled) allocation
  if (littleEndianHost) return new Float32Array(Uint8Array.prototype.slice.call(bytes, offset, offset + 4 * count).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * count);
  return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
}
