/**
 * Shapes explanation.json (site agent) for the site view: the slice scores along the scan with the
 * SIM section each slice belongs to, and the strongest superpixels of LIME or SHAP. Pure.
 */
import type { ClassifyExplanationJson } from '@unbox/protocol';

/** the part of a classify explanation.json the slice rows read (type only: the protocol's index is server code) */
type Sections = Pick<ClassifyExplanationJson, 'slice_scores'> & { sections: Pick<ClassifyExplanationJson['sections'][number], 'slices'>[] };

export interface SliceRow {
  slice: number;
  label: string;
  score: number;
  /** index of the section holding the slice, −1 when none does */
  section: number;
}

/** Sections' slice ranges are inclusive [first, last]. */
export function sliceRows(e: Sections): SliceRow[] {
  return e.slice_scores.map((score, slice) => ({
    slice,
    label: String(slice + 1),
    score,
    section: e.sections.findIndex((s) => slice >= s.slices[0] && slice <= s.slices[1]),
  }));
}

export interface Contribution {
  superpixel: number;
  value: number;
}

/** The `k` superpixels with the largest |value| (LIME weights or SHAP values), largest first. */
export function topContributions(values: number[], k: number): Contribution[] {
  return values
    .map((value, superpixel) => ({ superpixel, value }))
    .filter((c) => Number.isFinite(c.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value) || a.superpixel - b.superpixel)
    .slice(0, k);
}

/** Dice in [0, 1] → a viridis-like colour (dark purple 0 → yellow 1), clamped. */
export function diceColour(v: number): string {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t));
  const f = t - i;
  const c = stops[i].map((a, k) => Math.round(a + f * (stops[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}
