/**
 * Pulmonary vessel trees: recursive binary branching from the hilum (radius and length shrink by
 * a constant ratio per generation, branch angles 20-45 degrees), pruned where a segment would leave
 * the lung, and rasterised as the fraction of each voxel's slab a vessel occupies.
 */
import type { SynthRng } from './rng.js';

export interface Segment {
  a: [number, number, number];
  b: [number, number, number];
  r: number;
}

type V3 = [number, number, number];

function normalise(v: V3): V3 {
  const n = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** A unit vector perpendicular to d. */
function perpendicular(d: V3): V3 {
  const a: V3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  return normalise([d[1] * a[2] - d[2] * a[1], d[2] * a[0] - d[0] * a[2], d[0] * a[1] - d[1] * a[0]]);
}

/** Rotate d by `angle` towards a direction at roll `roll` around d. */
function deflect(d: V3, angle: number, roll: number): V3 {
  const p = perpendicular(d);
  const q: V3 = [d[1] * p[2] - d[2] * p[1], d[2] * p[0] - d[0] * p[2], d[0] * p[1] - d[1] * p[0]];
  const cr = Math.cos(roll);
  const sr = Math.sin(roll);
  const u: V3 = [cr * p[0] + sr * q[0], cr * p[1] + sr * q[1], cr * p[2] + sr * q[2]];
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  return normalise([ca * d[0] + sa * u[0], ca * d[1] + sa * u[1], ca * d[2] + sa * u[2]]);
}

/** Appends the tree's segments to `out`; `depth` more generations follow this segment. */
export function growVesselTree(rng: SynthRng, start: V3, dir: V3, radius: number, length: number, depth: number, inside: (x: number, y: number, z: number) => boolean, out: Segment[], root = true): void {
  const d = normalise(dir);
  const end: V3 = [start[0] + d[0] * length, start[1] + d[1] * length, start[2] + d[2] * length];
  const mid: V3 = [(start[0] + end[0]) / 2, (start[1] + end[1]) / 2, (start[2] + end[2]) / 2];
  // a twig that would leave the lung is pruned; a root always draws (it starts in the hilum)
  if (!root && !inside(mid[0], mid[1], mid[2]) && !inside(end[0], end[1], end[2])) return;
  out.push({ a: start, b: end, r: radius });
  if (depth <= 0 || !inside(end[0], end[1], end[2])) return;
  const roll = rng.uniform(0, 2 * Math.PI);
  const spread = rng.uniform(0.35, 0.75);
  for (const s of [0, Math.PI]) {
    const child = deflect(d, spread * rng.uniform(0.7, 1.1), roll + s);
    growVesselTree(rng, end, child, radius * 0.76, length * rng.uniform(0.68, 0.86), depth - 1, inside, out, false);
  }
}

export interface RasterGrid {
  slices: number;
  rows: number;
  columns: number;
  /** in-plane pixel spacing and slice thickness (mm). */
  px: number;
  T: number;
  /** mm of column 0 / row 0; slice k is centred at z = k * T. */
  x0: number;
  y0: number;
}

/**
 * Max-combine each segment's occupancy into `frac` for voxels where `where` is non-zero. The
 * distance to the axis ignores the part of the z-offset inside the slab (thick slices see whole
 * vessels that pass anywhere through them); the edge is a linear ramp one pixel wide.
 */
export function rasterSegments(segments: readonly Segment[], frac: Float32Array, where: Uint8Array, g: RasterGrid): void {
  const plane = g.rows * g.columns;
  const half = g.T / 2;
  const ramp = 0.7 * g.px;
  for (const s of segments) {
    const pad = s.r + g.px;
    const cmin = Math.max(0, Math.floor((Math.min(s.a[0], s.b[0]) - pad - g.x0) / g.px));
    const cmax = Math.min(g.columns - 1, Math.ceil((Math.max(s.a[0], s.b[0]) + pad - g.x0) / g.px));
    const rmin = Math.max(0, Math.floor((Math.min(s.a[1], s.b[1]) - pad - g.y0) / g.px));
    const rmax = Math.min(g.rows - 1, Math.ceil((Math.max(s.a[1], s.b[1]) + pad - g.y0) / g.px));
    const kmin = Math.max(0, Math.floor((Math.min(s.a[2], s.b[2]) - pad - half) / g.T));
    const kmax = Math.min(g.slices - 1, Math.ceil((Math.max(s.a[2], s.b[2]) + pad + half) / g.T));
    if (cmin > cmax || rmin > rmax || kmin > kmax) continue;
    const ex = s.b[0] - s.a[0];
    const ey = s.b[1] - s.a[1];
    const ez = s.b[2] - s.a[2];
    const ee = ex * ex + ey * ey + ez * ez || 1;
    // Partial volume through the slab: a tube at angle theta to z fills about 2r / sin(theta) of
    // the slab's depth, so thin vessels lying in a thick slice are faint, vessels crossing it are not.
    const sinT = Math.sqrt((ex * ex + ey * ey) / ee);
    const depth = sinT > 0 ? Math.min(1, (2 * s.r) / (g.T * sinT)) : 1;
    for (let k = kmin; k <= kmax; k++) {
      const z = k * g.T;
      for (let r = rmin; r <= rmax; r++) {
        const y = g.y0 + r * g.px;
        for (let c = cmin; c <= cmax; c++) {
          const i = k * plane + r * g.columns + c;
          if (where[i] === 0) continue;
          const x = g.x0 + c * g.px;
          let u = ((x - s.a[0]) * ex + (y - s.a[1]) * ey + (z - s.a[2]) * ez) / ee;
          u = u < 0 ? 0 : u > 1 ? 1 : u;
          const dx = x - (s.a[0] + u * ex);
          const dy = y - (s.a[1] + u * ey);
          let dz = Math.abs(z - (s.a[2] + u * ez)) - half;
          if (dz < 0) dz = 0;
          const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
          let f = (s.r - d) / ramp + 0.5;
          if (f <= 0) continue;
          if (f > 1) f = 1;
          f *= depth;
          if (f > frac[i]) frac[i] = f;
        }
      }
    }
  }
}
