/**
 * Each centre's scanner signature and case mix. Parameters are spread over their ranges with a
 * seeded Latin-hypercube design: for n centres every parameter range is cut into n strata and each
 * centre gets a different stratum, so any two centres differ in every parameter (domain shift is
 * built in, not left to chance), while the seed decides which centre gets which.
 */
import { SynthRng, hashSeed } from './rng.js';

export type MrWeighting = 'T1' | 'T2';

export interface CentreSignature {
  centre: string;
  index: number;
  manufacturer: string;
  model: string;
  ct: {
    /** HU' = scale * HU + offset: calibration drift of the scanner. */
    huScale: number;
    huOffset: number;
    /** sd of additive Gaussian noise (HU) in chest scans. */
    noiseSigma: number;
    /** sd of the noise in 5 mm head scans (HU): head protocols use more dose; thinner slices are noisier. */
    headNoiseSigma: number;
    /** in-plane point-spread sd (pixels). */
    blurSigma: number;
    /** field of view (mm) of chest and head reconstructions: pixel spacing = fov / size. */
    chestFov: number;
    headFov: number;
    /** chest series slice count (thickness = coverage / count). */
    chestSlices: number;
    /** DICOM stored = (HU - intercept) / slope. */
    rescaleSlope: number;
    rescaleIntercept: number;
    kvp: number;
    kernel: string;
  };
  mr: {
    weighting: MrWeighting;
    /** signal = gain * (tissue contrast in [0,1]) * bias + offset. */
    gain: number;
    offset: number;
    /** Rician noise sd as a fraction of gain. */
    noiseFraction: number;
    blurSigma: number;
    fov: number;
    /** amplitude of the linear receive-coil bias field across the head. */
    bias: number;
    fieldStrength: number;
    /** NIfTI scl_slope of the stored int16 values. */
    sclSlope: number;
  };
  brain: {
    /** thin (<= 1.5 mm) and thick (>= 5 mm) slice thickness per modality. */
    thinMm: number;
    thickCtMm: number;
    thickMrMm: number;
    /** head coverage (mm) along z: together with thickness gives the slice count. */
    coverageMm: number;
  };
  balance: {
    /** relative frequencies of NCP, CP, Normal among chest patients. */
    chest: [number, number, number];
    /** fraction of NCP patients that are severe (the rest mild). */
    ncpSevere: number;
    /** relative frequencies of normal, atrophy, hydrocephalus among head patients. */
    brain: [number, number, number];
  };
}

const VENDORS: [string, string][] = [
  ['Siemens (synthetic)', 'SOMATOM Definition Flash'],
  ['Siemens (synthetic)', 'SOMATOM Emotion 16'],
  ['GE (synthetic)', 'Revolution CT'],
  ['Philips (synthetic)', 'Ingenuity CT'],
  ['Canon (synthetic)', 'Aquilion ONE'],
];
const RESCALES: [number, number][] = [
  [1, -1024],
  [1, 0],
  [0.5, -1024],
  [1, -1000],
];

/** Centre names: A..Z, then AA, AB, ... */
export function centreName(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

export interface SignatureOptions {
  /** mean chest slice count; centres spread over [0.75, 1.25] x this. */
  chestSlices: number;
}

export function centreSignatures(seed: number, centres: number, opts: SignatureOptions): CentreSignature[] {
  if (!Number.isInteger(centres) || centres < 1) throw new Error(`centres must be a positive integer, got ${centres}`);
  const rng = new SynthRng(hashSeed(seed, 'signatures', centres));
  // One permutation per parameter: centre i gets stratum perm[i] of that parameter's range.
  const strata = (lo: number, hi: number): number[] => {
    const perm = rng.shuffle(Array.from({ length: centres }, (_, i) => i));
    return perm.map((p) => lo + ((hi - lo) * (p + rng.uniform(0.25, 0.75))) / centres);
  };
  // x to a multiple of step, without binary noise (5.300000000000001) for steps like 0.1
  const round = (x: number, step: number): number => (step < 1 ? Math.round(x * Math.round(1 / step)) / Math.round(1 / step) : Math.round(x / step) * step);
  const huScale = strata(0.94, 1.06);
  const huOffset = strata(-30, 30);
  const noise = strata(6, 40);
  const blur = strata(0.3, 1.3);
  const chestFov = strata(330, 420);
  const headFov = strata(210, 260);
  const slices = strata(0.75, 1.25);
  const mrGain = strata(400, 2400);
  const mrOffset = strata(0, 60);
  const mrNoise = strata(0.01, 0.06);
  const mrBlur = strata(0.3, 1.2);
  const mrFov = strata(210, 250);
  const mrBias = strata(0, 0.3);
  const thin = strata(1.0, 1.5);
  const thickCt = strata(5, 6);
  const thickMr = strata(6, 8);
  const coverage = strata(84, 100);
  const ncp = strata(0.2, 0.65);
  const cpShare = strata(0.3, 0.7);
  const severe = strata(0.25, 0.75);
  const hydro = strata(0.35, 0.75);
  const atrophyShare = strata(0.3, 0.7);
  const rescaleOrder = rng.shuffle(RESCALES.map((_, i) => i));
  const vendorOrder = rng.shuffle(VENDORS.map((_, i) => i));
  const t1First = rng.next() < 0.5;
  return Array.from({ length: centres }, (_, i) => {
    const [manufacturer, model] = VENDORS[vendorOrder[i % VENDORS.length]];
    const [slope, intercept] = RESCALES[rescaleOrder[i % RESCALES.length]];
    const cp = (1 - ncp[i]) * cpShare[i];
    const atrophy = (1 - hydro[i]) * atrophyShare[i];
    return {
      centre: centreName(i),
      index: i,
      manufacturer,
      model,
      ct: {
        huScale: round(huScale[i], 0.001),
        huOffset: round(huOffset[i], 0.1),
        noiseSigma: round(noise[i], 0.1),
        headNoiseSigma: round(2 + 0.15 * noise[i], 0.1),
        blurSigma: round(blur[i], 0.01),
        chestFov: round(chestFov[i], 1),
        headFov: round(headFov[i], 1),
        chestSlices: Math.max(4, Math.round(opts.chestSlices * slices[i])),
        rescaleSlope: slope,
        rescaleIntercept: intercept,
        kvp: [100, 120, 120, 140][(i + vendorOrder[0]) % 4],
        kernel: ['B30f', 'STANDARD', 'FC13', 'B'][(i + vendorOrder[1]) % 4],
      },
      mr: {
        // Protocols alternate T1/T2 across centres (1.5 T and 3 T as in section 4.2.1).
        weighting: (i % 2 === 0) === t1First ? 'T1' : 'T2',
        gain: round(mrGain[i], 1),
        offset: round(mrOffset[i], 0.1),
        noiseFraction: round(mrNoise[i], 0.001),
        blurSigma: round(mrBlur[i], 0.01),
        fov: round(mrFov[i], 1),
        bias: round(mrBias[i], 0.001),
        fieldStrength: i % 2 === 0 ? 1.5 : 3,
        sclSlope: [1, 0.5, 0.25, 2][i % 4],
      },
      brain: {
        thinMm: round(thin[i], 0.25),
        thickCtMm: round(thickCt[i], 0.1),
        thickMrMm: round(thickMr[i], 0.1),
        coverageMm: round(coverage[i], 1),
      },
      balance: {
        chest: [round(ncp[i], 0.001), round(cp, 0.001), round(1 - ncp[i] - cp, 0.001)],
        ncpSevere: round(severe[i], 0.001),
        brain: [round(1 - hydro[i] - atrophy, 0.001), round(atrophy, 0.001), round(hydro[i], 0.001)],
      },
    };
  });
}
