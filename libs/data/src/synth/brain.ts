/**
 * Head phantom for ventricle segmentation (section 4.2.1): scalp, skull, subarachnoid CSF, cortex
 * with sulci, white matter, deep grey nuclei, and the four ventricles, labelled 1 left lateral,
 * 2 right lateral, 3 third, 4 fourth. Lateral ventricles are swept tubes along a C-shaped centreline
 * (frontal horn, body, atrium, occipital and temporal horns); the third is a midline slit, the
 * fourth a tent in the posterior fossa. Normal, atrophy (ventricles mildly enlarged ex vacuo, sulci
 * and subarachnoid space widened) and hydrocephalus (ventricles ballooned, sulci effaced).
 *
 * Each output slice is the mean of `subSlices` planes of a fine grid across its thickness (partial
 * volume); its label is the most frequent label among those planes (ties go to the lower label).
 * Coordinates: LPS mm (x patient left, y posterior, z superior), origin at the head centre.
 */
import { ValueNoise3 } from './filters.js';
import { SynthRng } from './rng.js';

export type BrainClass = 'normal' | 'atrophy' | 'hydrocephalus';
export const BRAIN_CLASSES: readonly BrainClass[] = ['normal', 'atrophy', 'hydrocephalus'];
export const VENTRICLE_NAMES = ['left lateral', 'right lateral', 'third', 'fourth'] as const;

/** Linear ventricle scale ranges per class; disjoint, so volumes order normal < atrophy < hydrocephalus. */
export const VENTRICLE_SCALE: Record<BrainClass, [number, number]> = {
  normal: [0.85, 1.05],
  atrophy: [1.2, 1.4],
  hydrocephalus: [1.75, 2.25],
};

/** Tissue classes of the fine grid. */
const AIR = 0;
const SCALP = 1;
const BONE = 2;
const CSF = 3;
const GM = 4;
const WM = 5;
const DEEP = 6;

/** Tissue contrast: CT in HU, MR as relative signal in [0, 1]. */
export const CONTRAST: Record<'CT' | 'T1' | 'T2', readonly number[]> = {
  //    air    scalp  bone  CSF   GM    WM    deep GM
  CT: [-1000, 25, 1000, 8, 38, 28, 35],
  T1: [0, 0.85, 0.06, 0.12, 0.45, 0.7, 0.55],
  T2: [0, 0.55, 0.05, 1.0, 0.6, 0.4, 0.5],
};

export interface BrainSpec {
  size: number;
  pixelSpacing: number;
  sliceThickness: number;
  slices: number;
  /** fine planes averaged per output slice. */
  subSlices: number;
  contrast: 'CT' | 'T1' | 'T2';
  brainClass: BrainClass;
  /** z (mm, head coordinates) of slice 0's centre; default: the slab centred on the head +- 3 mm. */
  z0?: number;
}

export interface BrainPhantom {
  slices: number;
  rows: number;
  columns: number;
  /** partial-volume averaged contrast (HU for CT, [0,1] for MR), Volume.data order. */
  signal: Float32Array;
  /** 0 background, 1..4 ventricles. */
  labels: Uint8Array;
  ventricleScale: number;
  /** voxels per ventricle label 1..4 in `labels`. */
  ventricleVoxels: [number, number, number, number];
  /** LPS z (mm) of slice 0's centre relative to the head centre. */
  z0: number;
}

/** An axis-aligned ellipsoid (head coordinates) painted with a ventricle label. */
interface Blob {
  label: number;
  x: number;
  y: number;
  z: number;
  rx: number;
  ry: number;
  rz: number;
}

type Knot = [number, number, number, number, number, number]; // x y z rx ry rz

/** Left lateral ventricle centrelines (mm, normal adult): main C and the temporal horn branch. */
const LATERAL_MAIN: Knot[] = [
  [9, -32, 13, 3.5, 4, 5.5], // frontal horn tip
  [10, -22, 17, 4.5, 5, 6.5], // frontal horn
  [11, -8, 20, 4.5, 5, 4.5], // body
  [13, 8, 19, 4.5, 5, 4.5], // posterior body
  [19, 22, 12, 6.5, 6, 6.5], // atrium (trigone)
  [18, 34, 9, 3.5, 4.5, 4], // occipital horn
  [16, 42, 8, 2, 3, 2.5],
];
const LATERAL_TEMPORAL: Knot[] = [
  [19, 22, 12, 6, 6, 6],
  [25, 14, 1, 4, 4.5, 4],
  [27, 3, -8, 3, 4.5, 3],
  [26, -8, -13, 2.5, 4, 2.5],
];
const THIRD: Knot[] = [
  [0, -8, 5, 2, 4, 6],
  [0, 2, 3, 2, 6, 7.5],
  [0, 11, 1, 2, 4, 5],
];
const FOURTH: Knot[] = [
  [0, 26, -22, 2.5, 2.5, 3],
  [0, 29, -28, 6.5, 3.5, 4],
  [0, 28, -34, 3, 2.5, 3],
];

function sweep(knots: Knot[], label: number, step: number, map: (k: Knot) => Knot, out: Blob[]): void {
  const ks = knots.map(map);
  for (let i = 0; i + 1 < ks.length; i++) {
    const a = ks[i];
    const b = ks[i + 1];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
    const n = Math.max(1, Math.ceil(len / step));
    for (let j = 0; j <= n; j++) {
      if (j === n && i + 2 < ks.length) continue; // the next segment starts here
      const u = j / n;
      out.push({ label, x: a[0] + u * (b[0] - a[0]), y: a[1] + u * (b[1] - a[1]), z: a[2] + u * (b[2] - a[2]), rx: a[3] + u * (b[3] - a[3]), ry: a[4] + u * (b[4] - a[4]), rz: a[5] + u * (b[5] - a[5]) });
    }
  }
}

/** The four ventricles for a linear enlargement `s` and head scale `h`, as labelled blobs. */
export function ventricleBlobs(s: number, h: number, asym: number): Blob[] {
  const out: Blob[] = [];
  const e = s - 1;
  for (const side of [1, -1]) {
    const label = side === 1 ? 1 : 2; // LPS +x is the patient's left
    const a = side === 1 ? asym : 1 / asym;
    const lat = (k: Knot): Knot => [
      side * h * (k[0] + 0.9 * e * k[3]),
      h * k[1],
      h * (k[2] + 0.4 * e * k[5]),
      h * a * k[3] * s,
      h * k[4] * (1 + 0.5 * e),
      h * a * k[5] * s,
    ];
    sweep(LATERAL_MAIN, label, 1.2, lat, out);
    sweep(LATERAL_TEMPORAL, label, 1.2, lat, out);
  }
  sweep(THIRD, 3, 1.2, (k) => [0, h * k[1], h * k[2], h * k[3] * (1 + 1.6 * e), h * k[4] * (1 + 0.3 * e), h * k[5] * (1 + 0.3 * e)], out);
  sweep(FOURTH, 4, 1.2, (k) => [0, h * k[1], h * (k[2] - 0.2 * e * k[5]), h * k[3] * (1 + 0.4 * e), h * k[4] * (1 + 0.4 * e), h * k[5] * (1 + 0.4 * e)], out);
  return out;
}

/** Normalised ellipsoid radius squared. */
function q(x: number, y: number, z: number, a: number, b: number, c: number): number {
  const u = x / a;
  const v = y / b;
  const w = z / c;
  return u * u + v * v + w * w;
}

class Head {
  readonly A: number;
  readonly B: number;
  readonly C: number;
  readonly cos: number;
  readonly sin: number;
  readonly sx: number;
  readonly sy: number;
  readonly gap: number;
  readonly sulcus: number;
  readonly fissure: number;
  readonly h: number;
  readonly blobs: Blob[];
  readonly scale: number;
  private readonly folds: ValueNoise3;

  constructor(rng: SynthRng, cls: BrainClass) {
    this.h = rng.uniform(0.93, 1.07);
    this.A = 72 * this.h;
    this.B = 92 * this.h;
    this.C = 82 * this.h;
    const yaw = (rng.uniform(-6, 6) * Math.PI) / 180;
    this.cos = Math.cos(yaw);
    this.sin = Math.sin(yaw);
    this.sx = rng.uniform(-4, 4);
    this.sy = rng.uniform(-4, 4);
    const [lo, hi] = VENTRICLE_SCALE[cls];
    this.scale = rng.uniform(lo, hi);
    this.gap = cls === 'atrophy' ? rng.uniform(4, 6.5) : cls === 'hydrocephalus' ? rng.uniform(0.6, 1.4) : rng.uniform(1.5, 2.5);
    this.sulcus = cls === 'atrophy' ? rng.uniform(0.22, 0.3) : cls === 'hydrocephalus' ? rng.uniform(0.02, 0.05) : rng.uniform(0.09, 0.13);
    this.fissure = cls === 'atrophy' ? 2.5 : cls === 'hydrocephalus' ? 0.6 : 1.2;
    this.blobs = ventricleBlobs(this.scale, this.h, rng.uniform(0.9, 1.1));
    this.folds = new ValueNoise3(rng, 16);
  }

  /** Tissue class at head coordinates (not ventricles: those are painted separately). */
  tissue(x: number, y: number, z: number): number {
    const A = this.A;
    const B = this.B;
    const C = this.C;
    if (q(x, y, z, A, B, C) > 1) return AIR;
    if (q(x, y, z, A - 5, B - 5, C - 5) > 1) return SCALP;
    if (q(x, y, z, A - 12, B - 12, C - 12) > 1) return BONE;
    const d = 12 + this.gap;
    const qb = q(x, y, z, A - d, B - d, C - d);
    if (qb > 1) return CSF;
    const rho = Math.sqrt(qb);
    const band = 15 / (A - d);
    const ax = Math.abs(x);
    if (ax < this.fissure && z > -12) return CSF;
    if (rho > 1 - band) {
      const n = Math.abs(this.folds.at(x / 9 + 50, y / 9, z / 9));
      const depth = (rho - (1 - band)) / band;
      if (n < this.sulcus * depth) return CSF;
      if (n < this.sulcus * depth + 0.1 || rho > 1 - 3.5 / (A - d)) return GM;
    }
    if (ax < this.fissure + 3 && z > -12) return GM;
    if (z < -18 && y > 12) {
      // cerebellum: folia of grey matter around a white core
      const n = Math.abs(this.folds.at(x / 4, y / 4 + 30, z / 4));
      return n > 0.25 ? GM : WM;
    }
    if (ax < 34 && z > -10 && z < 14) {
      const tx = (ax - 11) / 8;
      const ty = (y - 4) / 12;
      const tz = (z - 1) / 8;
      if (tx * tx + ty * ty + tz * tz <= 1) return DEEP; // thalamus
      const lx = (ax - 25) / 5;
      const ly = (y + 4) / 14;
      const lz = (z - 2) / 8;
      if (lx * lx + ly * ly + lz * lz <= 1) return DEEP; // lentiform nucleus
    }
    return WM;
  }
}

export function brainPhantom(rng: SynthRng, spec: BrainSpec): BrainPhantom {
  const { size, pixelSpacing: px, sliceThickness: T, slices: S, subSlices: K } = spec;
  if (!Number.isInteger(K) || K < 1) throw new Error(`subSlices must be a positive integer, got ${K}`);
  const W = size;
  const H = size;
  const plane = W * H;
  const head = new Head(rng, spec.brainClass);
  const table = CONTRAST[spec.contrast];
  const signal = new Float32Array(S * plane);
  const labels = new Uint8Array(S * plane);
  const planeLabel = new Uint8Array(plane);
  const votes = new Uint8Array(5 * plane);
  const drawn = rng.uniform(-3, 3) - ((S - 1) / 2) * T; // drawn even when overridden: same stream after
  const z0 = spec.z0 ?? drawn;
  const x0 = -((W - 1) / 2) * px;
  const y0 = -((H - 1) / 2) * px;
  const { cos, sin, sx, sy } = head;
  const boneTex = new ValueNoise3(rng, 16);
  for (let s = 0; s < S; s++) {
    votes.fill(0);
    const out = s * plane;
    for (let j = 0; j < K; j++) {
      const z = z0 + s * T + ((j + 0.5) / K - 0.5) * T;
      paintVentricles(head, z, planeLabel, W, H, px, x0, y0);
      for (let r = 0; r < H; r++) {
        const yi = y0 + r * px - sy;
        for (let c = 0; c < W; c++) {
          const i = r * W + c;
          const xi = x0 + c * px - sx;
          const l = planeLabel[i];
          votes[l * plane + i]++;
          let v: number;
          if (l > 0) v = table[CSF];
          else {
            const x = cos * xi + sin * yi;
            const y = -sin * xi + cos * yi;
            const t = head.tissue(x, y, z);
            v = table[t];
            if (t === BONE && spec.contrast === 'CT') v += 350 * boneTex.at(x / 6, y / 6, z / 6); // diploe
          }
          signal[out + i] += v / K;
        }
      }
    }
    for (let i = 0; i < plane; i++) {
      let best = 0;
      let bestCount = votes[i];
      for (let l = 1; l <= 4; l++) {
        const cnt = votes[l * plane + i];
        if (cnt > bestCount) {
          best = l;
          bestCount = cnt;
        }
      }
      labels[out + i] = best;
    }
  }
  const ventricleVoxels: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < labels.length; i++) if (labels[i]) ventricleVoxels[labels[i] - 1]++;
  return { slices: S, rows: H, columns: W, signal, labels, ventricleScale: head.scale, ventricleVoxels, z0 };
}

/** Ventricle labels of one plane at head height z (first label painted wins where blobs touch). */
function paintVentricles(head: Head, z: number, out: Uint8Array, W: number, H: number, px: number, x0: number, y0: number): void {
  out.fill(0);
  const { cos, sin, sx, sy } = head;
  for (const b of head.blobs) {
    const dz = (z - b.z) / b.rz;
    if (dz <= -1 || dz >= 1) continue;
    const k = Math.sqrt(1 - dz * dz);
    const rx = b.rx * k;
    const ry = b.ry * k;
    // blob centre in image coordinates (inverse of the head rotation), bounded by its larger radius
    const ix = cos * b.x - sin * b.y + sx;
    const iy = sin * b.x + cos * b.y + sy;
    const R = Math.max(rx, ry);
    const cmin = Math.max(0, Math.floor((ix - R - x0) / px));
    const cmax = Math.min(W - 1, Math.ceil((ix + R - x0) / px));
    const rmin = Math.max(0, Math.floor((iy - R - y0) / px));
    const rmax = Math.min(H - 1, Math.ceil((iy + R - y0) / px));
    for (let r = rmin; r <= rmax; r++) {
      const yi = y0 + r * px - sy;
      for (let c = cmin; c <= cmax; c++) {
        const i = r * W + c;
        if (out[i]) continue;
        const xi = x0 + c * px - sx;
        const x = cos * xi + sin * yi - b.x;
        const y = -sin * xi + cos * yi - b.y;
        if ((x / rx) ** 2 + (y / ry) ** 2 <= 1) out[i] = b.label;
      }
    }
  }
}
