import { describe, expect, it } from 'vitest';
import type { Volume } from '@unbox/data';
import type { ManifestRow } from '../training/manifests.js';
import { locateSlice, RecentCache, scanOrder, windowedSlice, type Scan } from './viewer.js';

const vol = (slices: number, data: number[], modality = 'CT'): Volume => ({
  data: Float32Array.from(data), slices, rows: 1, columns: data.length / slices, channels: 1, spacing: [1, 1, 1], sliceThickness: 1, modality, affine: null, source: { format: 'nifti', files: [] },
});
const row = (patient: string, paths: string[], mask?: string) => ({ centre: 'A', manifest: 'm', row: 1, entry: { patient, paths, modality: 'CT', ...(mask ? { mask } : {}) } }) as unknown as ManifestRow;

describe('slice viewer', () => {
  it('orders scans as the API does: classify in manifest order, segment labelled first', () => {
    const rows = [row('p', ['thin.nii']), row('p', ['thick.nii'], 'mask.nii')];
    expect(scanOrder(rows, 'classify').map((s) => [s.path, s.labelled])).toEqual([['thin.nii', false], ['thick.nii', false]]);
    expect(scanOrder(rows, 'segment').map((s) => [s.path, s.labelled])).toEqual([['thick.nii', true], ['thin.nii', false]]);
  });

  it('locates slice i across scans', () => {
    const scans = [{ volume: vol(2, [0, 0]) }, { volume: vol(3, [0, 0, 0]) }] as Scan[];
    expect(locateSlice(scans, 0)).toEqual({ scan: scans[0], slice: 0 });
    expect(locateSlice(scans, 2)).toEqual({ scan: scans[1], slice: 0 });
    expect(locateSlice(scans, 4)).toEqual({ scan: scans[1], slice: 2 });
    expect(locateSlice(scans, 5)).toBeNull();
  });

  it('windows HU linearly between level ∓ window/2 and clamps; refuses MR', () => {
    // window 400, level 40: −160 HU → 0, 40 HU → 127.5 → 128, ≥ 240 HU → 255, 140 HU → 191.25 → 191
    const scan: Scan = { path: 'x', labelled: false, modality: 'CT', volume: vol(2, [0, 0, 0, 0, -1000, -160, 40, 240, 1000, 140]) };
    expect(Array.from(windowedSlice(scan, 1, 400, 40).grey)).toEqual([0, 128, 255, 255, 191]);
    expect(windowedSlice(scan, 1, 400, 40)).toMatchObject({ width: 5, height: 1 });
    expect(windowedSlice({ ...scan, volume: vol(1, [140]) }, 0, 400, 40).grey[0]).toBe(Math.round((140 + 160) / 400 * 255));
    expect(() => windowedSlice({ ...scan, modality: 'MR' }, 0, 400, 40)).toThrow(/window\/level applies to CT in HU; this scan is MR/);
  });

  it("cuts the windowed slice to a lung-cropped classifier's box, so its CAM stays aligned", () => {
    const scan: Scan = { path: 'x', labelled: false, modality: 'CT', volume: vol(2, [0, 0, 0, 0, -1000, -160, 40, 240, 1000, 140]) };
    const w = windowedSlice(scan, 1, 400, 40, { top: 0, left: 1, height: 1, width: 3 });
    expect(w).toMatchObject({ width: 3, height: 1 });
    expect(Array.from(w.grey)).toEqual([128, 255, 255]);
  });

  it('RecentCache computes a key once, keeps the last `capacity` keys used, and forgets a failure', async () => {
    const c = new RecentCache<string>(2);
    let calls = 0;
    const get = (k: string) => c.get(k, async () => `${k}${++calls}`);
    expect([await get('a'), await get('a'), await get('b')]).toEqual(['a1', 'a1', 'b2']);
    await get('a'); // a is now the most recent: c evicts b
    await get('c');
    expect([await get('a'), await get('b')]).toEqual(['a1', 'b4']);
    await expect(c.get('x', () => Promise.reject(new Error('unreadable')))).rejects.toThrow('unreadable');
    expect(await c.get('x', async () => 'ok')).toBe('ok');
  });
});
