// "One bad input never crashes the process": seeded random truncations and byte flips of real files
// of every encoding must give either a Volume or a DataError naming the file, nothing else.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTestData } from '../testing/inject.js';
import { readDicomBytes } from './index.js';
import { DataError } from '../volume.js';
import { SynthRng } from '../synth/rng.js';

let dir = '';
beforeAll(() => {
  dir = requireTestData();
});

// one small file per pixel encoding
const FILES = [
  'dicom/MR_small_implicit.dcm',
  'dicom/MR_small_bigendian.dcm',
  'dicom/image_dfl.dcm',
  'dicom/MR_small_RLE.dcm',
  'dicom/SC_rgb_jpeg_dcmtk.dcm',
  'generated/jpeg_lossless_sv1_mr.dcm',
  'dicom/MR_small_jpeg_ls_lossless.dcm',
  'dicom/MR_small_jp2klossless.dcm',
];

describe('corrupt DICOM never escapes as anything but DataError', () => {
  it('truncations and byte flips of every encoding', async () => {
    const r = new SynthRng(20260101);
    const rand = () => r.next();
    const unexpected: string[] = [];
    let refused = 0;
    let decoded = 0;
    const before = new Map<string, Float32Array[]>();
    for (const f of FILES) before.set(f, (await readDicomBytes(await readFile(join(dir, f)), f)).frames);
    for (const f of FILES) {
      const orig = new Uint8Array(await readFile(join(dir, f)));
      for (let k = 0; k < 12; k++) {
        let b: Uint8Array;
        if (k % 3 === 0) b = orig.slice(0, Math.floor(rand() * orig.length));
        else {
          b = orig.slice();
          // flip bytes in the last 60 %: mostly pixel data, sometimes trailing header elements
          for (let j = 0; j < 1 + Math.floor(rand() * 8); j++) b[Math.floor(orig.length * (0.4 + 0.6 * rand()))] ^= 1 + Math.floor(rand() * 255);
        }
        const name = `${f}#${k}`;
        try {
          await readDicomBytes(b, name);
          decoded++;
        } catch (e) {
          if (e instanceof DataError && e.file === name && e.reason.length > 0) refused++;
          else unexpected.push(`${name}: ${(e as Error)?.constructor?.name} ${(e as Error)?.message ?? e}`);
        }
      }
    }
    expect(unexpected).toEqual([]);
    // the WebAssembly decoders are still sound after all that: the intact files decode as before
    for (const f of FILES) expect((await readDicomBytes(await readFile(join(dir, f)), f)).frames, f).toEqual(before.get(f));
    expect(refused).toBeGreaterThan(10);
    expect(decoded + refused).toBe(FILES.length * 12);
  });
});
