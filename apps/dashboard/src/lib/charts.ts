/**
 * Shapes the coordinator's per-round data into what the charts draw: one series per centre over
 * rounds, ROC/PR curves per centre, t-SNE points grouped by centre (colour) and label (shape).
 * Pure: no I/O, no React. A centre's evaluation is read from its `test` split, else `val`, else
 * `train` (the Evaluation JSON of result-formats.md).
 */

export type BinaryMetric = 'auc' | 'acc' | 'sensitivity' | 'specificity';
export const BINARY_METRICS: { key: BinaryMetric; label: string }[] = [
  { key: 'auc', label: 'AUC' },
  { key: 'acc', label: 'Accuracy' },
  { key: 'sensitivity', label: 'Sensitivity' },
  { key: 'specificity', label: 'Specificity' },
];

interface Binary {
  n?: number;
  acc?: number | null;
  sensitivity?: number | null;
  specificity?: number | null;
  auc?: number | null;
  roc?: [number, number][];
  pr?: [number, number][];
}
interface DiceEntry {
  mean: number | null;
  per_class?: (number | null)[];
}
interface Split {
  centre?: string;
  patient?: Binary;
  image?: Binary;
  dice?: Record<string, Record<string, DiceEntry | undefined> | undefined>;
}
export type CentreEvaluation = Partial<Record<'train' | 'val' | 'test', Split>>;

export interface RoundLike {
  round: number;
  metrics?: Record<string, CentreEvaluation> | null;
}

export const SPLITS = ['test', 'val', 'train'] as const;
export type SplitName = (typeof SPLITS)[number];

/** The split a centre's figures are read from: `only` when given, else test, val, train, the first present. */
export function evaluatedSplit(e: CentreEvaluation | undefined, only?: SplitName): { split: SplitName; value: Split } | null {
  for (const s of only ? [only] : SPLITS) if (e?.[s]) return { split: s, value: e[s] };
  return null;
}

/** Patient-level metrics when present (the paper's unit), image-level otherwise. */
function binaryOf(e: CentreEvaluation | undefined, only?: SplitName): Binary | null {
  const s = evaluatedSplit(e, only)?.value;
  return s?.patient ?? s?.image ?? null;
}

export function centresOf(rounds: RoundLike[]): string[] {
  const set = new Set<string>();
  for (const r of rounds) for (const c of Object.keys(r.metrics ?? {})) set.add(c);
  return [...set].sort();
}

export type SeriesRow = { round: number } & Record<string, number | null>;

/** One row per round, one key per centre (null where that centre has no figure that round). */
export function metricSeries(rounds: RoundLike[], metric: BinaryMetric, split?: SplitName): { rows: SeriesRow[]; centres: string[] } {
  return seriesOf(rounds, (e) => binaryOf(e, split)?.[metric]);
}

/** Rows sorted by round, one key per centre holding what `pick` reads from that centre's evaluation. */
function seriesOf(rounds: RoundLike[], pick: (e: CentreEvaluation | undefined) => unknown): { rows: SeriesRow[]; centres: string[] } {
  const centres = centresOf(rounds);
  const rows = [...rounds]
    .sort((a, b) => a.round - b.round)
    .map((r) => {
      const row: SeriesRow = { round: r.round } as SeriesRow;
      for (const c of centres) {
        const v = pick(r.metrics?.[c]);
        row[c] = typeof v === 'number' ? v : null;
      }
      return row;
    });
  return { rows, centres };
}

/** Whether any centre reports classification metrics (patient or image level) in any round. */
export function hasBinaryMetrics(rounds: RoundLike[]): boolean {
  return rounds.some((r) => Object.values(r.metrics ?? {}).some((e) => SPLITS.some((s) => e[s]?.patient || e[s]?.image)));
}

/** "CT thick", "MRI thin", ... that any centre reports in any round. */
export function diceGroups(rounds: RoundLike[]): { modality: string; thickness: string; key: string }[] {
  const seen = new Map<string, { modality: string; thickness: string; key: string }>();
  for (const r of rounds)
    for (const e of Object.values(r.metrics ?? {})) {
      const d = evaluatedSplit(e)?.value.dice;
      for (const [m, byT] of Object.entries(d ?? {})) for (const t of Object.keys(byT ?? {})) seen.set(`${m} ${t}`, { modality: m, thickness: t, key: `${m} ${t}` });
    }
  return [...seen.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Mean Dice per centre over rounds for one modality and thickness. */
export function diceSeries(rounds: RoundLike[], modality: string, thickness: string, split?: SplitName): { rows: SeriesRow[]; centres: string[] } {
  return seriesOf(rounds, (e) => evaluatedSplit(e, split)?.value.dice?.[modality]?.[thickness]?.mean);
}

export interface CentreRow {
  centre: string;
  n: number | null;
  auc: number | null;
  acc: number | null;
  sensitivity: number | null;
  specificity: number | null;
  /** mean Dice per "<modality> <thickness>" */
  dice: Record<string, number | null>;
}

/** One round's figures per centre on one split (the table under the charts). */
export function roundTable(round: RoundLike | undefined, split: SplitName): CentreRow[] {
  if (!round) return [];
  return Object.keys(round.metrics ?? {})
    .sort()
    .map((centre) => {
      const e = evaluatedSplit(round.metrics?.[centre], split)?.value;
      const b = e?.patient ?? e?.image;
      const dice: Record<string, number | null> = {};
      for (const [m, byT] of Object.entries(e?.dice ?? {})) for (const [t, d] of Object.entries(byT ?? {})) dice[`${m} ${t}`] = typeof d?.mean === 'number' ? d.mean : null;
      const v = (x: number | null | undefined) => (typeof x === 'number' ? x : null);
      return { centre, n: v(b?.n), auc: v(b?.auc), acc: v(b?.acc), sensitivity: v(b?.sensitivity), specificity: v(b?.specificity), dice };
    });
}

export interface Curve {
  centre: string;
  /** area under it as the centre reported (AUC for ROC), when known */
  area: number | null;
  points: { x: number; y: number }[];
}

/** ROC (FPR, TPR) or PR (recall, precision) points of every centre in one round. */
export function curvesOf(round: RoundLike | undefined, kind: 'roc' | 'pr', split?: SplitName): Curve[] {
  if (!round) return [];
  const out: Curve[] = [];
  for (const c of Object.keys(round.metrics ?? {}).sort()) {
    const b = binaryOf(round.metrics?.[c], split);
    const pts = b?.[kind];
    if (!pts?.length) continue;
    out.push({ centre: c, area: kind === 'roc' && typeof b?.auc === 'number' ? b.auc : null, points: pts.map(([x, y]) => ({ x, y })) });
  }
  return out;
}

/** Distinguishable colours (Okabe–Ito, colour-blind safe), cycled. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];
/** recharts scatter shapes, one per label. */
export const SHAPES = ['circle', 'triangle', 'square', 'diamond', 'cross', 'star', 'wye'] as const;

export function colourOf(centres: string[], centre: string): string {
  const i = centres.indexOf(centre);
  return PALETTE[(i < 0 ? centres.length : i) % PALETTE.length];
}

export interface TsnePoint {
  x: number;
  y: number;
  centre: string;
  label: string | number | null;
}

export interface TsneGroup {
  centre: string;
  label: string;
  colour: string;
  shape: (typeof SHAPES)[number];
  points: { x: number; y: number }[];
}

/** One scatter group per (centre, label): colour by centre, shape by label. */
export function tsneGroups(points: TsnePoint[]): TsneGroup[] {
  const centres = [...new Set(points.map((p) => p.centre))].sort();
  const labels = [...new Set(points.map((p) => String(p.label ?? 'unlabelled')))].sort();
  const groups = new Map<string, TsneGroup>();
  for (const p of points) {
    const label = String(p.label ?? 'unlabelled');
    const k = `${p.centre}\u0000${label}`;
    let g = groups.get(k);
    if (!g) {
      g = { centre: p.centre, label, colour: colourOf(centres, p.centre), shape: SHAPES[labels.indexOf(label) % SHAPES.length], points: [] };
      groups.set(k, g);
    }
    g.points.push({ x: p.x, y: p.y });
  }
  return [...groups.values()].sort((a, b) => a.centre.localeCompare(b.centre) || a.label.localeCompare(b.label));
}

/** "2.4 s", "1 min 5 s": a round's wall time. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** A rate as a percentage with one decimal, or a dash. */
export function pct(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? `${(100 * v).toFixed(1)} %` : '–';
}
