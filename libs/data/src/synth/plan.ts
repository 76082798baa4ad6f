/**
 * Who is in each centre's cohort: patients, their labels, severities, head classes, slice
 * thickness and train/val/test split. Pure and deterministic for (seed, options).
 */
import { z } from 'zod';
import type { ClassLabel, Split } from '../manifest/schema.js';
import type { BrainClass } from './brain.js';
import type { Severity } from './chest.js';
import { SynthRng, hashSeed } from './rng.js';
import type { CentreSignature } from './signature.js';

export const SynthOptions = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff),
    centres: z.number().int().min(1).max(26 * 27),
    /** in-plane matrix (rows = columns). */
    size: z.number().int().min(16).max(1024),
    chestPatients: z.number().int().min(0),
    /** mean chest slice count; each centre gets 0.75..1.25 x this. */
    chestSlices: z.number().int().min(4).max(1000),
    /** chest z coverage (mm): slice thickness = coverage / slice count. */
    chestCoverageMm: z.number().positive(),
    brainCtPatients: z.number().int().min(0),
    brainMrPatients: z.number().int().min(0),
    /** fraction of head scans reconstructed thin (<= 1.5 mm); the rest thick (>= 5 mm). */
    thinFraction: z.number().min(0).max(1),
    /** head z coverage scale (1 = the centre's 84..100 mm); < 1 gives fewer slices for quick runs. */
    brainCoverage: z.number().positive().max(2),
    /** also write every chest CT as lung-window PNG slices in the CC-CCII layout (<C>/cc-ccii/<class>/<patient>/<scan>/<slice>.png). */
    ccciiPng: z.boolean(),
    /** train / val / test fractions. */
    split: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).refine((s) => s[0] + s[1] + s[2] > 0, 'split fractions sum to 0'),
  })
  .strict();
export type SynthOptions = z.infer<typeof SynthOptions>;

/** Sized for 2 CPU cores: a 4-centre consortium in well under 2 minutes (see README). */
export const DEFAULT_SYNTH_OPTIONS: SynthOptions = {
  seed: 1,
  centres: 4,
  size: 128,
  chestPatients: 24,
  chestSlices: 32,
  chestCoverageMm: 256,
  brainCtPatients: 10,
  brainMrPatients: 10,
  thinFraction: 0.5,
  brainCoverage: 1,
  ccciiPng: false,
  split: [0.7, 0.15, 0.15],
};

export type PatientKind = 'chest-ct' | 'brain-ct' | 'brain-mr';

export interface PatientPlan {
  centre: string;
  id: string;
  kind: PatientKind;
  /** chest only */
  label?: ClassLabel;
  severity?: Severity | null;
  /** head only */
  brainClass?: BrainClass;
  thickness?: 'thin' | 'thick';
  split: Split;
  /** this patient's own random stream */
  seed: number;
}

/** Counts proportional to weights (largest remainder); every class gets >= 1 when n allows. */
export function allocate(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total > 0 ? (n * w) / total : n / weights.length));
  const counts = exact.map(Math.floor);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = n - counts.reduce((s, c) => s + c, 0), j = 0; r > 0; r--, j++) counts[order[j % order.length][1]]++;
  if (n >= weights.length) {
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] === 0) {
        const big = counts.indexOf(Math.max(...counts));
        counts[big]--;
        counts[i]++;
      }
    }
  }
  return counts;
}

/**
 * Category of each of n positions so that every prefix follows the fractions as closely as it can
 * (at position i, the category furthest behind its target f_j * (i + 1)). Walking a list sorted by
 * stratum spreads every stratum over all categories.
 */
export function systematic(n: number, fractions: readonly number[]): number[] {
  const total = fractions.reduce((s, f) => s + f, 0);
  const f = fractions.map((x) => x / total);
  const cnt = f.map(() => 0);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestDef = -Infinity;
    for (let j = 0; j < f.length; j++) {
      const def = f[j] * (i + 1) - cnt[j];
      if (def > bestDef + 1e-12) {
        best = j;
        bestDef = def;
      }
    }
    cnt[best]++;
    out.push(best);
  }
  return out;
}

const SPLITS: Split[] = ['train', 'val', 'test'];
const CHEST_LABELS: ClassLabel[] = ['NCP', 'CP', 'Normal'];
const HEAD_CLASSES: BrainClass[] = ['normal', 'atrophy', 'hydrocephalus'];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function planCentre(opts: SynthOptions, sig: CentreSignature): PatientPlan[] {
  const rng = new SynthRng(hashSeed(opts.seed, sig.centre, 'plan'));
  const out: PatientPlan[] = [];
  const seedOf = (kind: string, i: number): number => hashSeed(opts.seed, sig.centre, kind, i);

  // Chest: labels by the centre's balance, NCP split into mild and severe.
  const nc = opts.chestPatients;
  const [nNcp, nCp, nNormal] = allocate(nc, sig.balance.chest);
  const nSevere = nNcp >= 2 ? Math.min(nNcp - 1, Math.max(1, Math.round(nNcp * sig.balance.ncpSevere))) : Math.round(nNcp * sig.balance.ncpSevere);
  const chest: { label: ClassLabel; severity: Severity | null }[] = [
    ...Array.from({ length: nSevere }, () => ({ label: 'NCP' as const, severity: 'severe' as const })),
    ...Array.from({ length: nNcp - nSevere }, () => ({ label: 'NCP' as const, severity: 'mild' as const })),
    ...Array.from({ length: nCp }, () => ({ label: 'CP' as const, severity: null })),
    ...Array.from({ length: nNormal }, () => ({ label: 'Normal' as const, severity: null })),
  ];
  const chestIds = rng.shuffle(Array.from({ length: nc }, (_, i) => i));
  const chestSplit = systematic(nc, opts.split);
  // chest[] is sorted by stratum; ids are shuffled so an id says nothing about its label.
  chest.forEach((c, j) => {
    const i = chestIds[j];
    out.push({ centre: sig.centre, id: `${sig.centre}-C${pad(i + 1, 3)}`, kind: 'chest-ct', label: c.label, severity: c.severity, split: SPLITS[chestSplit[j]], seed: seedOf('chest', i) });
  });

  for (const [kind, n, letter] of [['brain-ct', opts.brainCtPatients, 'H'], ['brain-mr', opts.brainMrPatients, 'M']] as const) {
    const counts = allocate(n, sig.balance.brain);
    const rows: { brainClass: BrainClass; thickness: 'thin' | 'thick' }[] = [];
    let pos = 0;
    const thinPattern = systematic(n, [opts.thinFraction, 1 - opts.thinFraction]);
    HEAD_CLASSES.forEach((cls, ci) => {
      for (let j = 0; j < counts[ci]; j++) rows.push({ brainClass: cls, thickness: thinPattern[pos++] === 0 ? 'thin' : 'thick' });
    });
    // sort by (class, thickness) so the split walk spreads both over train/val/test
    rows.sort((a, b) => HEAD_CLASSES.indexOf(a.brainClass) - HEAD_CLASSES.indexOf(b.brainClass) || a.thickness.localeCompare(b.thickness));
    const ids = rng.shuffle(Array.from({ length: n }, (_, i) => i));
    const split = systematic(n, opts.split);
    rows.forEach((r, j) => {
      const i = ids[j];
      out.push({ centre: sig.centre, id: `${sig.centre}-${letter}${pad(i + 1, 3)}`, kind, brainClass: r.brainClass, thickness: r.thickness, split: SPLITS[split[j]], seed: seedOf(kind, i) });
    });
  }
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

export { CHEST_LABELS, HEAD_CLASSES };
