/**
 * Chest CT phantom in Hounsfield units (truth, before the scanner model): body outline with
 * subcutaneous fat, ribs, spine, aorta, heart, trachea and two lungs whose parenchyma carries a
 * branching vessel tree; NCP patients get blobby ground-glass opacities (-700..-300 HU, vessels
 * still visible through them) on one contiguous run of slices, CP patients a dense consolidation
 * with air bronchograms. Coordinates are LPS mm with the origin at the centre of the first slice.
 */
import type { ClassLabel } from '../manifest/schema.js';
import { ValueNoise3 } from './filters.js';
import { SynthRng } from './rng.js';
import { growVesselTree, rasterSegments, type Segment } from './vessels.js';

export type Severity = 'mild' | 'severe';
export type LesionType = 'ground-glass' | 'consolidation';
/** Values of the ground-truth lesion mask. */
export const LESION_VALUE: Record<LesionType, number> = { 'ground-glass': 1, consolidation: 2 };

export interface ChestSpec {
  size: number;
  slices: number;
  /** mm between pixel centres (square pixels). */
  pixelSpacing: number;
  /** mm; slices are contiguous (spacing = thickness). */
  sliceThickness: number;
  label: ClassLabel;
  /** NCP only. */
  severity: Severity | null;
}

export interface ChestPhantom {
  slices: number;
  rows: number;
  columns: number;
  /** truth HU, Volume.data order. */
  hu: Float32Array;
  /** 0 outside lesions, LESION_VALUE inside. */
  lesion: Uint8Array;
  /** 1 right lung, 2 left lung. */
  lung: Uint8Array;
  lesionType: LesionType | null;
  /** first and last slice (inclusive) holding lesion voxels; null for none. */
  lesionSlices: [number, number] | null;
}

const AIR = -1000;
const FAT = -100;
const SOFT = 45;
const BLOOD = 40;
const BONE = 650;
const CORTEX = 1000;

/** The patient's body, sampled at (x, y) mm in a slice at fraction t (0 = lowest slice, 1 = top). */
class ChestAnatomy {
  readonly bodyA: number;
  readonly bodyB: number;
  readonly fat: number;
  readonly cx: number;
  readonly cy: number;
  readonly lung: { cx: number; cy: number; ax: number; ay: number; apex: number; base: number; dome: number }[];
  readonly medW: number;
  readonly heart: { cx: number; cy: number; ax: number; ay: number; t0: number; t1: number };
  readonly spineY: number;
  readonly spineR: number;
  readonly ribPitch: number;
  readonly ribPhase: number;
  readonly aorta: { x: number; y: number; r: number };

  constructor(rng: SynthRng, fov: number) {
    this.bodyA = Math.min(rng.uniform(135, 170), 0.45 * fov);
    this.bodyB = this.bodyA * rng.uniform(0.62, 0.74);
    this.fat = rng.uniform(6, 22);
    this.cx = rng.uniform(-6, 6);
    this.cy = rng.uniform(-8, 4);
    const A = this.bodyA;
    const B = this.bodyB;
    this.lung = [-1, 1].map((side) => ({
      cx: side * 0.45 * A,
      cy: -0.04 * B,
      ax: 0.34 * A * (side < 0 ? 1.04 : 0.96),
      ay: 0.66 * B,
      apex: rng.uniform(0.9, 0.97),
      // the right dome sits higher (liver)
      base: rng.uniform(0.03, 0.1) + (side < 0 ? 0.05 : 0),
      dome: rng.uniform(0.15, 0.25),
    }));
    this.medW = 0.11 * A;
    this.heart = { cx: 0.13 * A, cy: -0.2 * B, ax: 0.3 * A * rng.uniform(0.9, 1.15), ay: 0.4 * B, t0: 0.08, t1: rng.uniform(0.5, 0.6) };
    this.spineY = 0.64 * B;
    this.spineR = 0.17 * B;
    this.ribPitch = rng.uniform(22, 30);
    this.ribPhase = rng.uniform(0, 2 * Math.PI);
    this.aorta = { x: 0.15 * A, y: 0.4 * B, r: 0.08 * B };
  }

  /** Lung cross-section scale at t (0 above the apex). */
  lungScale(i: number, t: number): number {
    const L = this.lung[i];
    if (t >= L.apex) return 0;
    if (t <= 0.6) return 1;
    const u = (t - 0.6) / (L.apex - 0.6);
    return Math.sqrt(1 - u * u);
  }

  /** Heart half-size scale at t (0 outside its extent). */
  heartScale(t: number): number {
    const h = this.heart;
    if (t <= h.t0 || t >= h.t1) return 0;
    const u = (2 * (t - h.t0)) / (h.t1 - h.t0) - 1;
    return Math.sqrt(1 - u * u);
  }

  /** 0 outside the lungs, 1 right lung, 2 left lung. */
  lungAt(x: number, y: number, t: number, hs: number): number {
    x -= this.cx;
    y -= this.cy;
    if (Math.abs(x) < this.medW) return 0;
    const i = x < 0 ? 0 : 1;
    const g = this.lungScale(i, t);
    if (g === 0) return 0;
    const L = this.lung[i];
    const dx = (x - L.cx) / (L.ax * g);
    const dy = (y - L.cy) / (L.ay * (0.55 + 0.45 * g));
    const q = dx * dx + dy * dy;
    if (q > 1) return 0;
    if (t < L.base + L.dome * (1 - q)) return 0; // below the diaphragm dome
    if (hs > 0) {
      const h = this.heart;
      const hx = (x - h.cx) / (h.ax * hs);
      const hy = (y - h.cy) / (h.ay * hs);
      if (hx * hx + hy * hy <= 1.15) return 0;
    }
    // paravertebral gutter and aorta stay outside the lung
    if (y > this.spineY - this.spineR - 4 && Math.abs(x) < this.spineR + 10) return 0;
    const a = this.aorta;
    if ((x - a.x) ** 2 + (y - a.y) ** 2 < (a.r + 4) ** 2) return 0;
    return i + 1;
  }

  /** HU of everything but the lung parenchyma (which the caller fills). */
  tissueAt(x: number, y: number, t: number, z: number, hs: number): number {
    x -= this.cx;
    y -= this.cy;
    const A = this.bodyA;
    const B = this.bodyB;
    const qb = (x / A) ** 2 + (y / B) ** 2;
    if (qb > 1) return AIR;
    const r = Math.hypot(x, y);
    const depth = (1 / Math.sqrt(qb) - 1) * r;
    if (depth < this.fat) return FAT;
    // ribs: a ring inside the chest wall, present where the rib wave crosses this slice
    const ribA = A - this.fat - 12;
    const ribB = B - this.fat - 12;
    const qr = (x / ribA) ** 2 + (y / ribB) ** 2;
    const dr = (1 - 1 / Math.sqrt(qr)) * r;
    if (dr > -5 && dr < 5 && t < 0.97) {
      const ang = Math.atan2(y, x);
      const medialFront = y < 0 && Math.abs(x) < 22;
      const nearSpine = y > 0 && Math.abs(x) < this.spineR + 16;
      if (!medialFront && !nearSpine && Math.sin((2 * Math.PI * z) / this.ribPitch + 2.4 * Math.abs(ang) + this.ribPhase) > 0.45) {
        return Math.abs(dr) > 3 ? CORTEX : BONE;
      }
    }
    // sternum
    if (y < 0 && Math.abs(x) < 14 && dr > 0 && dr < 9 && t > 0.25) return BONE;
    // vertebra: body with cortical rim, canal, posterior elements
    const sy = this.spineY;
    const sr = this.spineR;
    const dv = Math.hypot(x, y - sy);
    if (dv < sr) return dv > sr - 2.5 ? CORTEX : BONE - 300;
    const dc = Math.hypot(x, y - sy - sr - 7);
    if (dc < 7) return 15;
    if (Math.abs(x) < 20 && y > sy + sr + 12 && y < sy + sr + 22) return BONE;
    const a = this.aorta;
    if ((x - a.x) ** 2 + (y - a.y) ** 2 < a.r * a.r) return BLOOD;
    if (t > 0.7) {
      const dtr = Math.hypot(x, y + 0.12 * B);
      if (dtr < 9) return AIR;
      if (dtr < 11) return 20;
    }
    if (hs > 0) {
      const h = this.heart;
      const hx = (x - h.cx) / (h.ax * hs);
      const hy = (y - h.cy) / (h.ay * hs);
      const qh = hx * hx + hy * hy;
      if (qh <= 1) return BLOOD;
      if (qh <= 1.15) return -90; // epicardial fat
    }
    return SOFT;
  }
}

export function chestPhantom(rng: SynthRng, spec: ChestSpec): ChestPhantom {
  const { size, slices: S, pixelSpacing: px, sliceThickness: T } = spec;
  const W = size;
  const H = size;
  const plane = W * H;
  const n = S * plane;
  const anat = new ChestAnatomy(rng, size * px);
  const hu = new Float32Array(n);
  const lung = new Uint8Array(n);
  const x0 = -((W - 1) / 2) * px;
  const y0 = -((H - 1) / 2) * px;
  const tex = new ValueNoise3(rng, 16);
  for (let k = 0; k < S; k++) {
    const t = (k + 0.5) / S;
    const z = k * T;
    const hs = anat.heartScale(t);
    for (let r = 0; r < H; r++) {
      const y = y0 + r * px;
      const o = k * plane + r * W;
      for (let c = 0; c < W; c++) {
        const x = x0 + c * px;
        const l = anat.lungAt(x, y, t, hs);
        if (l > 0) {
          lung[o + c] = l;
          const L = anat.lung[l - 1];
          // parenchyma: faint texture, denser posteriorly (gravity-dependent perfusion)
          hu[o + c] = -860 + 30 * tex.at(x / 9, y / 9, z / 9) + 45 * ((y - anat.cy - L.cy) / L.ay);
        } else {
          hu[o + c] = anat.tissueAt(x, y, t, z, hs);
        }
      }
    }
  }

  // Vessel tree from each hilum, rasterised as a partial-volume fraction.
  const segments: Segment[] = [];
  const inLung = (x: number, y: number, z: number): boolean => {
    const t = (z / T + 0.5) / S;
    return t > 0 && t < 1 && anat.lungAt(x, y, t, anat.heartScale(t)) > 0;
  };
  for (let i = 0; i < 2; i++) {
    const side = i === 0 ? -1 : 1;
    const hilum: [number, number, number] = [anat.cx + side * (anat.medW + 8), anat.cy + anat.lung[i].cy + 5, 0.55 * S * T];
    // lobar/segmental arteries fanning out from the hilum: apical, anterior, lateral, posterior, basal
    const dirs: [number, number, number][] = [[side * 0.4, -0.1, 1], [side * 0.7, -0.6, 0.4], [side * 1, 0.1, 0], [side * 0.6, 0.7, 0.2], [side * 0.5, 0.4, -0.8], [side * 0.5, -0.5, -0.6]];
    for (const dir of dirs) growVesselTree(rng, hilum, dir, 5, rng.uniform(28, 38), 7, inLung, segments);
  }
  const vf = new Float32Array(n);
  rasterSegments(segments, vf, lung, { slices: S, rows: H, columns: W, px, T, x0, y0 });

  // Lesions.
  const lesionW = new Float32Array(n);
  const lesionT = new Float32Array(n);
  const lesion = new Uint8Array(n);
  let lesionType: LesionType | null = null;
  let lesionSlices: [number, number] | null = null;
  if (spec.label !== 'Normal') {
    lesionType = spec.label === 'NCP' ? 'ground-glass' : 'consolidation';
    lesionSlices = placeLesions(rng, spec, anat, lung, lesionW, lesionT, lesion, { x0, y0, px, T, W, H, S }, lesionType);
  }

  const les = new ValueNoise3(rng, 16);
  for (let i = 0; i < n; i++) {
    if (lung[i] === 0) continue;
    let v = hu[i];
    const w = lesionW[i];
    if (w > 0) {
      const k = Math.floor(i / plane);
      const rc = i - k * plane;
      const r = Math.floor(rc / W);
      const c = rc - r * W;
      const target = lesionT[i] + 40 * les.at((x0 + c * px) / 6, (y0 + r * px) / 6, (k * T) / 6);
      v += w * (target - v);
    }
    const f = vf[i];
    if (f > 0) {
      // air bronchograms: airways running with the vessels stay dark inside consolidation
      if (lesionType === 'consolidation' && w > 0.5 && f > 0.3) v = -880;
      else v += f * (BLOOD - v);
    }
    hu[i] = v;
  }
  return { slices: S, rows: H, columns: W, hu, lesion, lung, lesionType, lesionSlices };
}

interface Grid {
  x0: number;
  y0: number;
  px: number;
  T: number;
  W: number;
  H: number;
  S: number;
}

/**
 * Blobs on a contiguous run of lung slices; returns the run. Every slice of the run is guaranteed
 * to hold lesion voxels (a small plug is added where the blobs happen to miss a slice) and no slice
 * outside it does.
 */
function placeLesions(
  rng: SynthRng,
  spec: ChestSpec,
  anat: ChestAnatomy,
  lung: Uint8Array,
  wv: Float32Array,
  tv: Float32Array,
  mask: Uint8Array,
  g: Grid,
  type: LesionType,
): [number, number] {
  const plane = g.W * g.H;
  const lungSlices: number[] = [];
  for (let k = 0; k < g.S; k++) {
    let cnt = 0;
    for (let i = k * plane; i < (k + 1) * plane; i++) if (lung[i]) cnt++;
    if (cnt >= 0.02 * plane) lungSlices.push(k);
  }
  if (lungSlices.length === 0) throw new Error('phantom has no lung slices: too few slices or too small a size');
  const first = lungSlices[0];
  const last = lungSlices[lungSlices.length - 1];
  const nl = last - first + 1;
  let run: number;
  if (type === 'ground-glass') {
    // mild: one lung, 15–25 % of the lung slices (at least 2), a radiologist's early multifocal GGO;
    // until 2026-11-26 it was 1–3 slices of one small blob (19–117 voxels at 128 px), a few pixels at
    // the classifier's 64 px, which no model could see (docs/experiments.md)
    run = spec.severity === 'mild' ? Math.max(Math.min(nl, 2), Math.round(nl * rng.uniform(0.15, 0.25))) : Math.max(Math.min(nl, 4), Math.round(nl * rng.uniform(0.45, 0.75)));
  } else {
    run = Math.max(Math.min(nl, 2), Math.round(nl * rng.uniform(0.2, 0.45)));
  }
  run = Math.min(run, nl);
  const start = first + rng.int(0, nl - run);
  const end = start + run - 1;
  const shape = new ValueNoise3(rng, 16);
  const severe = type === 'ground-glass' && spec.severity === 'severe';
  const nb = type === 'consolidation' ? rng.int(1, 2) : severe ? Math.max(4, Math.ceil(run / 2)) : run;
  const side0 = rng.int(1, 2);
  for (let b = 0; b < nb; b++) {
    const k = start + Math.min(run - 1, Math.floor(((b + 0.5) / nb) * run));
    const side = severe ? 1 + ((side0 + b) % 2) : side0;
    const centre = pickLungPoint(rng, lung, g, k, side, type === 'consolidation' ? 'posterior' : 'peripheral', anat);
    if (!centre) continue;
    let rxy: number;
    let rz: number;
    if (type === 'consolidation') {
      rxy = rng.uniform(20, 45);
      rz = rng.uniform(Math.max(g.T, 15), 35);
    } else if (severe) {
      rxy = rng.uniform(15, 35);
      rz = rng.uniform(Math.max(1.2 * g.T, 12), 30);
    } else {
      rxy = rng.uniform(12, 22);
      rz = Math.max(1.2 * g.T, 10);
    }
    const target = type === 'consolidation' ? rng.uniform(-80, 30) : rng.uniform(-680, -380);
    const edge = type === 'consolidation' ? 0.12 : 0.25;
    blob(wv, tv, lung, g, centre, [rxy, rxy * rng.uniform(0.7, 1.3), rz], target, edge, shape, start, end);
  }
  const value = LESION_VALUE[type];
  for (let k = start; k <= end; k++) {
    let cnt = 0;
    for (let i = k * plane; i < (k + 1) * plane; i++) {
      if (wv[i] >= 0.5) {
        mask[i] = value;
        cnt++;
      }
    }
    if (cnt === 0) {
      const p = pickLungPoint(rng, lung, g, k, side0, 'peripheral', anat) ?? pickLungPoint(rng, lung, g, k, 3 - side0, 'peripheral', anat);
      if (!p) throw new Error(`no lung on lesion slice ${k}`);
      const target = type === 'consolidation' ? -20 : -500;
      blob(wv, tv, lung, g, p, [Math.max(8, 2.5 * g.px), Math.max(8, 2.5 * g.px), 0.4 * g.T], target, 0.01, null, k, k);
      for (let i = k * plane; i < (k + 1) * plane; i++) if (wv[i] >= 0.5) mask[i] = value;
    }
  }
  return [start, end];
}

function pickLungPoint(rng: SynthRng, lung: Uint8Array, g: Grid, k: number, side: number, where: 'peripheral' | 'posterior', anat: ChestAnatomy): [number, number, number] | null {
  const plane = g.W * g.H;
  const idx: number[] = [];
  for (let i = k * plane; i < (k + 1) * plane; i++) if (lung[i] === side) idx.push(i - k * plane);
  if (idx.length === 0) return null;
  const L = anat.lung[side - 1];
  let best = -Infinity;
  let bx = 0;
  let by = 0;
  for (let j = 0; j < 12; j++) {
    const p = idx[Math.floor(rng.next() * idx.length)];
    const x = g.x0 + (p % g.W) * g.px;
    const y = g.y0 + Math.floor(p / g.W) * g.px;
    const dx = (x - anat.cx - L.cx) / L.ax;
    const dy = (y - anat.cy - L.cy) / L.ay;
    const score = where === 'peripheral' ? dx * dx + dy * dy : dy;
    if (score > best) {
      best = score;
      bx = x;
      by = y;
    }
  }
  return [bx, by, k * g.T];
}

/** Add an ellipsoidal blob with a noise-perturbed edge, only in lung voxels of slices [k0, k1]. */
function blob(
  wv: Float32Array,
  tv: Float32Array,
  lung: Uint8Array,
  g: Grid,
  c: [number, number, number],
  rad: [number, number, number],
  target: number,
  edge: number,
  shape: ValueNoise3 | null,
  k0: number,
  k1: number,
): void {
  const plane = g.W * g.H;
  const grow = shape ? 1.3 : 1;
  const cmin = Math.max(0, Math.floor((c[0] - grow * rad[0] - g.x0) / g.px));
  const cmax = Math.min(g.W - 1, Math.ceil((c[0] + grow * rad[0] - g.x0) / g.px));
  const rmin = Math.max(0, Math.floor((c[1] - grow * rad[1] - g.y0) / g.px));
  const rmax = Math.min(g.H - 1, Math.ceil((c[1] + grow * rad[1] - g.y0) / g.px));
  const kmin = Math.max(k0, Math.floor((c[2] - grow * rad[2]) / g.T));
  const kmax = Math.min(k1, Math.ceil((c[2] + grow * rad[2]) / g.T));
  for (let k = kmin; k <= kmax; k++) {
    const dz = (k * g.T - c[2]) / rad[2];
    for (let r = rmin; r <= rmax; r++) {
      const y = g.y0 + r * g.px;
      const dy = (y - c[1]) / rad[1];
      for (let cc = cmin; cc <= cmax; cc++) {
        const i = k * plane + r * g.W + cc;
        if (!lung[i]) continue;
        const x = g.x0 + cc * g.px;
        const dx = (x - c[0]) / rad[0];
        let e = Math.sqrt(dx * dx + dy * dy + dz * dz);
        if (shape) e += 0.3 * shape.at(x / 12, y / 12, (k * g.T) / 12);
        const w = Math.min(1, Math.max(0, (1 - e) / edge + 0.5));
        if (w > wv[i]) {
          wv[i] = w;
          tv[i] = target;
        }
      }
    }
  }
}
