// PNG/JPEG slice folders and the CC-CCII layout. PNGs are written with pngjs, JPEGs with jpeg-js
// (independent encoders); PNG is lossless, so values must come back exactly.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../read.js';
import { listCcCciiScans, naturalCompare, readSliceFolder } from './index.js';
import { DataError } from '../volume.js';

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'unbox-slices-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function png(w: number, h: number, pixel: (x: number, y: number) => [number, number, number], opts: { colorType: 0 | 2; bitDepth: 8 | 16 }): Buffer {
  const p = new PNG({ width: w, height: h, colorType: opts.colorType, bitDepth: opts.bitDepth, inputColorType: 2, inputHasAlpha: false });
  const data = opts.bitDepth === 16 ? new Uint16Array(w * h * 3) : Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(pixel(x, y), (y * w + x) * 3);
  (p as unknown as { data: unknown }).data = data;
  return PNG.sync.write(p, { colorType: opts.colorType, bitDepth: opts.bitDepth, inputColorType: 2, inputHasAlpha: false });
}

describe('PNG/JPEG slice folders', () => {
  it('reads 8-bit grey PNGs in natural order (2 before 10) with exact values', async () => {
    const d = join(root, 'grey8');
    await mkdir(d);
    for (const k of [10, 2, 1]) await writeFile(join(d, `${k}.png`), png(5, 4, (x, y) => [k * 10 + x + y, k * 10 + x + y, k * 10 + x + y], { colorType: 0, bitDepth: 8 }));
    const v = await readVolume(d);
    expect([v.slices, v.rows, v.columns, v.channels]).toEqual([3, 4, 5, 1]);
    expect(v.source.format).toBe('png');
    expect(v.source.files.map((f) => f.slice(d.length + 1))).toEqual(['1.png', '2.png', '10.png']);
    // slice 2 (file 10.png), row 3, column 4: 100 + 4 + 3
    expect(v.data[(2 * 4 + 3) * 5 + 4]).toBe(107);
    expect(v.data[0]).toBe(10);
  });

  it('keeps 16-bit grey values and RGB channels', async () => {
    const d = join(root, 'deep');
    await mkdir(d);
    await writeFile(join(d, 'a.png'), png(3, 2, (x, y) => [40000 + x * 1000 + y, 40000 + x * 1000 + y, 40000 + x * 1000 + y], { colorType: 0, bitDepth: 16 }));
    const g = await readSliceFolder(d);
    expect(Array.from(g.data)).toEqual([40000, 41000, 42000, 40001, 41001, 42001]);
    const c = join(root, 'rgb');
    await mkdir(c);
    await writeFile(join(c, 's1.png'), png(2, 1, (x) => [x, 100 + x, 200 + x], { colorType: 2, bitDepth: 8 }));
    const v = await readSliceFolder(c);
    expect(v.channels).toBe(3);
    expect(Array.from(v.data)).toEqual([0, 100, 200, 1, 101, 201]);
  });

  it('reads JPEG slices (lossy: within a few grey levels)', async () => {
    const d = join(root, 'jpg');
    await mkdir(d);
    const w = 16, h = 16;
    const rgba = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([120, 120, 120, 255], i * 4);
    await writeFile(join(d, '1.jpg'), jpeg.encode({ data: rgba, width: w, height: h }, 95).data);
    const v = await readVolume(d);
    expect(v.channels).toBe(1);
    expect(v.source.format).toBe('jpeg');
    for (const x of v.data) expect(Math.abs(x - 120)).toBeLessThanOrEqual(2);
  });

  it('refuses slices of different sizes and corrupt files, naming the file', async () => {
    const d = join(root, 'mixed');
    await mkdir(d);
    await writeFile(join(d, '1.png'), png(4, 4, () => [1, 1, 1], { colorType: 0, bitDepth: 8 }));
    await writeFile(join(d, '2.png'), png(5, 4, () => [1, 1, 1], { colorType: 0, bitDepth: 8 }));
    await expect(readSliceFolder(d)).rejects.toThrow(/2\.png: slice is 5x4, the first slice \(1\.png\) is 4x4/);
    const e = join(root, 'corrupt');
    await mkdir(e);
    const good = png(4, 4, () => [1, 1, 1], { colorType: 0, bitDepth: 8 });
    await writeFile(join(e, '1.png'), good.subarray(0, good.length - 20));
    const err = await readSliceFolder(e).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(join(e, '1.png'));
    expect((err as Error).message).toMatch(/corrupt or truncated/);
  });

  it('natural order compares digit runs as numbers', () => {
    expect(['10.png', '9.png', 'a2.png', 'a10.png'].sort(naturalCompare)).toEqual(['9.png', '10.png', 'a2.png', 'a10.png']);
  });
});

describe('CC-CCII layout <class>/<patient>/<scan>/<slice>.png', () => {
  it('lists scans with their class labels and reads one as a volume', async () => {
    const r = join(root, 'ccccii');
    const layout: [string, string, string, number][] = [
      ['NCP', '1', '1001', 3],
      ['NCP', '1', '1002', 2],
      ['CP', '7', '2001', 4],
      ['Normal', '12', '3001', 1],
    ];
    for (const [cls, p, s, n] of layout) {
      const d = join(r, cls, p, s);
      await mkdir(d, { recursive: true });
      for (let k = 0; k < n; k++) await writeFile(join(d, `${k}.png`), png(8, 6, () => [k, k, k], { colorType: 0, bitDepth: 8 }));
    }
    const scans = await listCcCciiScans(r);
    expect(scans.map((s) => [s.label, s.patient, s.scan, s.slices])).toEqual([
      ['CP', '7', '2001', 4],
      ['NCP', '1', '1001', 3],
      ['NCP', '1', '1002', 2],
      ['Normal', '12', '3001', 1],
    ]);
    const v = await readVolume(scans[0].dir);
    expect([v.slices, v.rows, v.columns]).toEqual([4, 6, 8]);
    expect(v.data[3 * 48]).toBe(3);
    await mkdir(join(r, 'Unknown'));
    await expect(listCcCciiScans(r)).rejects.toThrow(/unknown CC-CCII class folder\(s\) Unknown/);
  });
});
