/**
 * DICOM RLE Lossless decoding (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, each
 * segment a PackBits byte stream holding one byte plane of one sample (most significant byte first).
 * Output is planar by sample: all pixels of sample 0, then sample 1 ...; each value composed of its
 * byte planes, little-endian in the returned buffer so a Uint16Array/Uint32Array view reads it.
 */
export function decodeRleFrame(frame: Uint8Array, rows: number, columns: number, samplesPerPixel: number, bitsAllocated: number): Uint8Array {
  if (frame.length < 64) throw new Error(`RLE frame of ${frame.length} bytes is shorter than its 64-byte header`);
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const nSeg = dv.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1) throw new Error(`RLE with BitsAllocated ${bitsAllocated} is not supported`);
  const expected = samplesPerPixel * bytesPerSample;
  if (nSeg !== expected) throw new Error(`RLE header has ${nSeg} segments, expected ${expected} (samples ${samplesPerPixel} x bytes ${bytesPerSample})`);
  const offsets: number[] = [];
  for (let i = 0; i < nSeg; i++) offsets.push(dv.getUint32(4 + 4 * i, true));
  const pixels = rows * columns;
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < nSeg; s++) {
    const start = offsets[s];
    const end = s + 1 < nSeg ? offsets[s + 1] : frame.length;
    if (start < 64 || start > frame.length || end < start) throw new Error(`RLE segment ${s} offset ${start} is outside the frame`);
    unpackBits(frame.subarray(start, end), plane, s);
    const sample = Math.floor(s / bytesPerSample);
    // segment 0 of a sample is its most significant byte
    const byteInValue = bytesPerSample - 1 - (s % bytesPerSample);
    const base = sample * pixels * bytesPerSample;
    for (let p = 0; p < pixels; p++) out[base + p * bytesPerSample + byteInValue] = plane[p];
  }
  return out;
}

/** PackBits (PS3.5 G.3.1): n in 0..127 copies n+1 literal bytes; -127..-1 repeats the next byte 1-n times; -128 is a no-op. */
function unpackBits(src: Uint8Array, dst: Uint8Array, segment: number): void {
  let i = 0;
  let o = 0;
  const n = dst.length;
  while (o < n && i < src.length) {
    const h = (src[i++] << 24) >> 24;
    if (h >= 0) {
      const len = h + 1;
      if (i + len > src.length) throw new Error(`RLE segment ${segment} is truncated`);
      dst.set(src.subarray(i, i + Math.min(len, n - o)), o);
      i += len;
      o += len;
    } else if (h !== -128) {
      if (i >= src.length) throw new Error(`RLE segment ${segment} is truncated`);
      const len = 1 - h;
      dst.fill(src[i++], o, Math.min(o + len, n));
      o += len;
    }
  }
  if (o < n) throw new Error(`RLE segment ${segment} decodes to ${o} bytes, expected ${n}`);
}
