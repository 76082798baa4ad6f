// Hand-computed checks of the pure pieces: PackBits/RLE, bit windows and sign extension, YBR->RGB,
// palette lookup bounds, slice ordering along an oblique normal.
import { describe, expect, it } from 'vitest';
import { decodeRleFrame } from './rle.js';
import { storedValues } from './pixels.js';
import { ybrFullToRgb } from './color.js';
import { orderSlices } from './order.js';
import { dicomAffine } from './geometry.js';

function rleFrame(segments: number[][]): Uint8Array {
  const header = new Uint8Array(64);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, segments.length, true);
  let off = 64;
  segments.forEach((s, i) => {
    dv.setUint32(4 + 4 * i, off, true);
    off += s.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}

describe('RLE (PS3.5 Annex G)', () => {
  it('PackBits literal and replicate runs, -128 no-op', () => {
    // 2x3 8-bit grey: literal run of 2 (header 1), no-op, replicate 4 x 9 (header -3 = 0xFD)
    const f = rleFrame([[1, 5, 6, 0x80, 0xfd, 9]]);
    expect(Array.from(decodeRleFrame(f, 2, 3, 1, 8))).toEqual([5, 6, 9, 9, 9, 9]);
  });

  it('16-bit: segment 0 is the high byte; output little-endian', () => {
    const f = rleFrame([[1, 0x12, 0xab], [1, 0x34, 0xcd]]);
    expect(Array.from(new Uint16Array(decodeRleFrame(f, 1, 2, 1, 16).buffer))).toEqual([0x1234, 0xabcd]);
  });

  it('RGB is planar by sample', () => {
    const f = rleFrame([[0xff, 1], [0xff, 2], [0xff, 3]]);
    expect(Array.from(decodeRleFrame(f, 1, 2, 3, 8))).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('short segments and bad headers are errors, not garbage', () => {
    expect(() => decodeRleFrame(rleFrame([[0xfd, 9]]), 2, 3, 1, 8)).toThrow(/decodes to 4 bytes, expected 6/);
    expect(() => decodeRleFrame(rleFrame([[5, 1, 2]]), 1, 6, 1, 8)).toThrow(/truncated/);
    expect(() => decodeRleFrame(rleFrame([[0], [0]]), 1, 1, 1, 8)).toThrow(/2 segments, expected 1/);
    expect(() => decodeRleFrame(new Uint8Array(10), 1, 1, 1, 8)).toThrow(/shorter than its 64-byte header/);
  });
});

describe('stored values: BitsStored window at HighBit, two’s complement by PixelRepresentation', () => {
  it('12 bits stored in 16, high bit 11, unsigned: upper bits are masked off', () => {
    const v = storedValues(Uint16Array.from([0xf123, 0x0fff]), { bitsStored: 12, highBit: 11, pixelRepresentation: 0 });
    expect(Array.from(v)).toEqual([0x123, 4095]);
  });
  it('12 bits signed: 0x800 is -2048, 0xfff is -1, whatever the padding bits hold', () => {
    const v = storedValues(Uint16Array.from([0x0800, 0xffff, 0x07ff, 0xa001]), { bitsStored: 12, highBit: 11, pixelRepresentation: 1 });
    expect(Array.from(v)).toEqual([-2048, -1, 2047, 1]);
  });
  it('high bit above bits stored shifts the window down', () => {
    const v = storedValues(Uint16Array.from([0xfff0]), { bitsStored: 12, highBit: 15, pixelRepresentation: 1 });
    expect(v[0]).toBe(-1);
  });
  it('32-bit unsigned stays exact up to float32 precision', () => {
    const v = storedValues(Uint32Array.from([4294967295, 16777216]), { bitsStored: 32, highBit: 31, pixelRepresentation: 0 });
    expect(v[1]).toBe(16777216);
    expect(v[0]).toBe(Math.fround(4294967295));
  });
});

describe('YBR_FULL to RGB (PS3.3 C.7.6.3.1.2)', () => {
  it('grey stays grey; BT.601 codes of the primaries map back (values worked by hand from the equations)', () => {
    const v = Float32Array.from([128, 128, 128, 76, 85, 255, 150, 44, 21, 29, 255, 107]);
    ybrFullToRgb(v);
    expect(Array.from(v.subarray(0, 3))).toEqual([128, 128, 128]);
    // R = 76 + 1.402 * 127 = 254.05; G = 76 + 0.34414 * 43 - 0.71414 * 127 = 0.10; B = 76 - 1.772 * 43 = -0.20
    expect(Array.from(v.subarray(3, 6))).toEqual([254, 0, 0]);
    // G = 150 + 0.34414 * 84 + 0.71414 * 107 = 255.3 (clipped); B = 150 - 1.772 * 84 = 1.15
    expect(Array.from(v.subarray(6, 9))).toEqual([0, 255, 1]);
    // B = 29 + 1.772 * 127 = 254.04
    expect(Array.from(v.subarray(9, 12))).toEqual([0, 0, 254]);
  });
});

describe('series ordering', () => {
  const iop = [1, 0, 0, 0, Math.SQRT1_2, -Math.SQRT1_2]; // oblique: normal (0, 1/√2, 1/√2)
  const at = (t: number, n: number | null) => ({ imagePosition: [0, t * Math.SQRT1_2, t * Math.SQRT1_2] as [number, number, number], imageOrientation: iop, instanceNumber: n });

  it('sorts by position along the normal, not by instance number or file order', () => {
    const o = orderSlices([at(5, 1), at(-2.5, 3), at(0, 2), at(2.5, 9)]);
    expect(o.order).toEqual([1, 2, 3, 0]);
    expect(o.spacing).toBeCloseTo(2.5, 12);
    expect(o.byPosition).toBe(true);
    expect(o.maxStepDeviation).toBeCloseTo(0, 12);
    expect(o.minStep).toBeCloseTo(2.5, 12);
  });

  it('finds slices sharing a position', () => {
    const o = orderSlices([at(0, 1), at(2.5, 2), at(0, 3)]);
    expect(o.minStep).toBe(0);
    expect(o.closestPair).toEqual([0, 2]);
  });

  it('falls back to InstanceNumber when a position is missing', () => {
    const o = orderSlices([at(5, 3), { imagePosition: null, imageOrientation: iop, instanceNumber: 1 }, at(0, 2)]);
    expect(o.order).toEqual([1, 2, 0]);
    expect(o.byPosition).toBe(false);
    expect(o.spacing).toBeNull();
  });

  it('falls back to InstanceNumber when orientations differ (rotating projections)', () => {
    const turned = { ...at(-9, 1), imageOrientation: [0, 1, 0, 0, 0, -1] };
    const o = orderSlices([at(5, 3), turned, at(0, 2)]);
    expect(o.order).toEqual([1, 2, 0]);
    expect(o.orientationVaries).toBe(true);
    expect(o.byPosition).toBe(false);
  });

  it('reports uneven steps', () => {
    expect(orderSlices([at(0, 1), at(1, 2), at(3, 3)]).maxStepDeviation).toBeCloseTo(0.5, 12);
  });

  it('affine maps voxel (column, row, slice) to patient mm', () => {
    // identity orientation, rows 0.5 mm apart, columns 0.7 mm, slices 2 mm along z
    const a = dicomAffine([1, 0, 0, 0, 1, 0], [10, 20, 30], [0.5, 0.7], [0, 0, 2]);
    const apply = (c: number, r: number, s: number) => [0, 1, 2].map((i) => a[4 * i] * c + a[4 * i + 1] * r + a[4 * i + 2] * s + a[4 * i + 3]);
    expect(apply(3, 4, 5)).toEqual([10 + 3 * 0.7, 20 + 4 * 0.5, 30 + 10]);
  });
});
