/**
 * The libs/models evaluation summaries in the wire's evaluation shape (libs/protocol Evaluation,
 * notes/result-formats.md): only aggregate numbers per split, never per-patient rows or pixels.
 * Undefined rates (NaN: one class in a split, no positive prediction) become null; ROC/PR curves
 * are thinned to the protocol's point limit.
 */
import type { ClassificationSummary } from '@unbox/models';
import { LIMITS, type BinaryMetrics, type PatientMetrics, type SplitEvaluation } from '@unbox/protocol';

type Summary = ClassificationSummary;

const rate = (v: number): number | null => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : null);

/** Every k-th point, first and last kept, so at most `max` remain. */
export function thinCurve(points: readonly [number, number][], max = LIMITS.curvePoints): [number, number][] {
  const finite = points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)).map(([a, b]) => [rate(a)!, rate(b)!] as [number, number]);
  if (finite.length <= max) return finite;
  const step = (finite.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => finite[Math.round(i * step)]);
}

export function binaryMetrics(s: Summary): BinaryMetrics {
  return { n: s.n, acc: rate(s.acc), precision: rate(s.precision), sensitivity: rate(s.sensitivity), specificity: rate(s.specificity), auc: rate(s.auc) };
}

export function patientMetrics(s: Summary): PatientMetrics {
  return { ...binaryMetrics(s), ...(s.roc ? { roc: thinCurve(s.roc) } : {}), ...(s.pr ? { pr: thinCurve(s.pr) } : {}) };
}

export function classifierSplit(centre: string, s: { patient: Summary; image: Summary }): SplitEvaluation {
  return { centre, patient: patientMetrics(s.patient), image: binaryMetrics(s.image) };
}

interface DiceStats {
  mean: number;
  per_class: number[];
}

/** Dice per modality (CT, MRI) and thickness in the wire shape; other modalities are left out. */
export function segmenterSplit(centre: string, dice: Record<string, Partial<Record<'thick' | 'thin' | 'mixed', DiceStats>>>): SplitEvaluation {
  const out: NonNullable<SplitEvaluation['dice']> = {};
  for (const modality of ['CT', 'MRI'] as const) {
    const m = dice[modality];
    if (!m) continue;
    const entry: Record<string, { mean: number | null; per_class: (number | null)[] }> = {};
    for (const t of ['thick', 'thin', 'mixed'] as const) {
      const d = m[t];
      if (d) entry[t] = { mean: rate(d.mean), per_class: d.per_class.map(rate) };
    }
    out[modality] = entry;
  }
  return { centre, dice: out };
}
