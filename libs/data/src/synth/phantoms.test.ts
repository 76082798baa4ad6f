import { describe, expect, it } from 'vitest';
import { brainPhantom, CONTRAST, type BrainClass, type BrainSpec } from './brain.js';
import { chestPhantom, type ChestSpec } from './chest.js';
import { SynthRng } from './rng.js';

const chest = (seed: number, over: Partial<ChestSpec>) =>
  chestPhantom(new SynthRng(seed), { size: 64, slices: 24, pixelSpacing: 5.6, sliceThickness: 10, label: 'Normal', severity: null, ...over });

function lesionSliceSet(p: ReturnType<typeof chestPhantom>): number[] {
  const plane = p.rows * p.columns;
  const out: number[] = [];
  for (let k = 0; k < p.slices; k++) {
    for (let i = k * plane; i < (k + 1) * plane; i++) {
      if (p.lesion[i]) {
        out.push(k);
        break;
      }
    }
  }
  return out;
}

describe('chest CT phantom', () => {
  it('puts lesions on exactly one contiguous run of slices, inside the lungs; mild runs are short, severe long', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const mild = chest(seed, { label: 'NCP', severity: 'mild' });
      const severe = chest(seed, { label: 'NCP', severity: 'severe' });
      for (const p of [mild, severe]) {
        const ks = lesionSliceSet(p);
        expect(p.lesionSlices).not.toBeNull();
        const [a, b] = p.lesionSlices!;
        expect(ks).toEqual(Array.from({ length: b - a + 1 }, (_, i) => a + i));
        for (let i = 0; i < p.lesion.length; i++) if (p.lesion[i]) expect(p.lung[i]).toBeGreaterThan(0);
      }
      const runMild = mild.lesionSlices![1] - mild.lesionSlices![0] + 1;
      const runSevere = severe.lesionSlices![1] - severe.lesionSlices![0] + 1;
      const lungSlices = new Set<number>();
      for (let i = 0; i < mild.lung.length; i++) if (mild.lung[i]) lungSlices.add(Math.floor(i / (64 * 64)));
      expect(runMild).toBeGreaterThanOrEqual(2);
      expect(runMild).toBeLessThanOrEqual(Math.ceil(0.3 * lungSlices.size));
      expect(runSevere).toBeGreaterThanOrEqual(4);
      expect(runMild).toBeLessThan(runSevere);
      expect(mild.lesionType).toBe('ground-glass');
      expect([...new Set(mild.lesion)].sort()).toEqual([0, 1]);
    }
  });
  it('makes ground-glass opacities -700..-300 HU on average and consolidation denser', () => {
    const meanIn = (p: ReturnType<typeof chestPhantom>): number => {
      let s = 0;
      let n = 0;
      for (let i = 0; i < p.lesion.length; i++) if (p.lesion[i]) (s += p.hu[i]), n++;
      return s / n;
    };
    for (const seed of [1, 2, 3]) {
      const ggo = meanIn(chest(seed, { label: 'NCP', severity: 'severe' }));
      expect(ggo).toBeGreaterThan(-720);
      expect(ggo).toBeLessThan(-300);
      const cp = chest(seed, { label: 'CP' });
      expect(cp.lesionType).toBe('consolidation');
      expect(meanIn(cp)).toBeGreaterThan(ggo + 200);
    }
  });
  it('has air outside, two aerated lungs with a vessel tree, and no lesion for Normal', () => {
    const p = chest(9, {});
    expect(p.lesionSlices).toBeNull();
    expect(p.lesion.every((v) => v === 0)).toBe(true);
    expect(p.hu[0]).toBe(-1000);
    let lungN = 0;
    let lungSum = 0;
    let dense = 0;
    const sides = new Set<number>();
    for (let i = 0; i < p.hu.length; i++) {
      if (!p.lung[i]) continue;
      sides.add(p.lung[i]);
      lungN++;
      lungSum += p.hu[i];
      if (p.hu[i] > -600) dense++;
    }
    expect([...sides].sort()).toEqual([1, 2]);
    expect(lungSum / lungN).toBeLessThan(-700);
    expect(dense / lungN).toBeGreaterThan(0.01); // vessels
    expect(dense / lungN).toBeLessThan(0.3);
  });
});

const brainSpec = (cls: BrainClass, over: Partial<BrainSpec> = {}): BrainSpec => ({
  size: 64,
  pixelSpacing: 3.6,
  sliceThickness: 5,
  slices: 18,
  subSlices: 5,
  contrast: 'CT',
  brainClass: cls,
  ...over,
});

describe('head phantom', () => {
  it('orders ventricle volume normal < atrophy < hydrocephalus', () => {
    for (const seed of [1, 2, 3]) {
      const vol = (cls: BrainClass): number => brainPhantom(new SynthRng(seed), brainSpec(cls)).ventricleVoxels.reduce((a, b) => a + b, 0);
      const n = vol('normal');
      const a = vol('atrophy');
      const h = vol('hydrocephalus');
      expect(n).toBeLessThan(a);
      expect(a).toBeLessThan(h);
      expect(h / n).toBeGreaterThan(2);
    }
  });
  it('labels four ventricles where anatomy puts them (1 left lateral on patient left = +x LPS, 4 lowest)', () => {
    const p = brainPhantom(new SynthRng(4), brainSpec('normal', { size: 96, pixelSpacing: 2.4, sliceThickness: 1.5, slices: 60, subSlices: 3 }));
    const plane = p.rows * p.columns;
    const cen = [0, 1, 2, 3].map(() => ({ n: 0, c: 0, k: 0 }));
    for (let i = 0; i < p.labels.length; i++) {
      const l = p.labels[i];
      if (!l) continue;
      const q = cen[l - 1];
      q.n++;
      q.c += i % p.columns;
      q.k += Math.floor(i / plane);
    }
    const mid = (p.columns - 1) / 2;
    expect(cen.every((q) => q.n > 0)).toBe(true);
    const [l1, l2, l3, l4] = cen.map((q) => ({ c: q.c / q.n, k: q.k / q.n }));
    expect(l1.c).toBeGreaterThan(mid + 3);
    expect(l2.c).toBeLessThan(mid - 3);
    expect(Math.abs(l3.c - mid)).toBeLessThan(3);
    expect(Math.abs(l4.c - mid)).toBeLessThan(3);
    expect(l4.k).toBeLessThan(l3.k);
    expect(l3.k).toBeLessThan(l1.k);
    // left and right lateral ventricles are of similar size
    expect(cen[0].n / cen[1].n).toBeGreaterThan(0.6);
    expect(cen[0].n / cen[1].n).toBeLessThan(1.6);
  });
  it('averages thick slices from the fine grid (partial volume) and labels them by majority', () => {
    const thick = brainPhantom(new SynthRng(5), brainSpec('hydrocephalus', { slices: 6, subSlices: 5, z0: -10 }));
    // fine planes 1 mm apart at the thick slices' sub-plane positions: z0 - 2, -1, ... (sub-plane j at z0 + 5s + j - 2)
    const fine = brainPhantom(new SynthRng(5), brainSpec('hydrocephalus', { slices: 30, subSlices: 1, sliceThickness: 1, z0: -12 }));
    const plane = thick.rows * thick.columns;
    let mixed = 0;
    for (let s = 0; s < 6; s++) {
      for (let i = 0; i < plane; i += 7) {
        let mean = 0;
        const votes = [0, 0, 0, 0, 0];
        for (let j = 0; j < 5; j++) {
          mean += fine.signal[(5 * s + j) * plane + i] / 5;
          votes[fine.labels[(5 * s + j) * plane + i]]++;
        }
        expect(thick.signal[s * plane + i]).toBeCloseTo(mean, 3);
        const best = votes.indexOf(Math.max(...votes));
        expect(thick.labels[s * plane + i]).toBe(best);
        if (!CONTRAST.CT.includes(thick.signal[s * plane + i])) mixed++;
      }
    }
    expect(mixed).toBeGreaterThan(0); // some voxels mix tissues
  });
  it('renders ventricles as CSF: dark on CT and T1, bright on T2 relative to white matter', () => {
    for (const contrast of ['CT', 'T1', 'T2'] as const) {
      const p = brainPhantom(new SynthRng(6), brainSpec('hydrocephalus', { contrast, subSlices: 1 }));
      const csf = Math.fround(CONTRAST[contrast][3]);
      const wm = Math.fround(CONTRAST[contrast][5]);
      let wmVoxels = 0;
      for (let i = 0; i < p.labels.length; i++) {
        if (p.labels[i]) expect(p.signal[i]).toBe(csf);
        else if (p.signal[i] === wm) wmVoxels++;
      }
      expect(wmVoxels).toBeGreaterThan(100);
      if (contrast === 'T2') expect(csf).toBeGreaterThan(wm);
      else expect(csf).toBeLessThan(wm);
    }
  });
});
