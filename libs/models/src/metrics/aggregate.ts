/** Summaries in the evaluation-JSON shapes of notes/result-formats.md. Pure. */
import { accuracy, confusion, precision, sensitivity, specificity } from './binary.js';
import { prCurve, rocAuc, rocCurve } from './roc.js';
import { nanMean } from './dice.js';

export interface ClassificationSummary {
  n: number;
  acc: number;
  precision: number;
  sensitivity: number;
  specificity: number;
  auc: number;
  roc?: [number, number][];
  pr?: [number, number][];
}

export function classificationSummary(labels: number[], probs: number[], opts: { threshold?: number; curves?: boolean } = {}): ClassificationSummary {
  const c = confusion(labels, probs, opts.threshold ?? 0.5);
  const s: ClassificationSummary = {
    n: labels.length, acc: accuracy(c), precision: precision(c), sensitivity: sensitivity(c), specificity: specificity(c), auc: rocAuc(labels, probs),
  };
  if (opts.curves) {
    s.roc = rocCurve(labels, probs);
    s.pr = prCurve(labels, probs);
  }
  return s;
}

/** Records grouped by a key, insertion order kept. */
export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

export type Thickness = 'thick' | 'thin';

export interface DiceRecord {
  /** 'CT' | 'MRI' ('MR' as DICOM writes it is accepted and reported as MRI) */
  modality: string;
  thickness: Thickness;
  centre?: string;
  /** Dice per foreground class of one image (NaN where the class is absent from both). */
  perClass: number[];
}

export interface DiceSummary {
  n: number;
  mean: number;
  per_class: number[];
}

function summarise(records: DiceRecord[]): DiceSummary {
  const classes = records[0]?.perClass.length ?? 0;
  const perClass = Array.from({ length: classes }, (_, c) => nanMean(records.map((r) => r.perClass[c])));
  return { n: records.length, mean: nanMean(perClass), per_class: perClass };
}

const modalityName = (m: string) => (m === 'MR' ? 'MRI' : m);

/** {modality: {thick, thin, mixed}}: image-averaged Dice per class, then averaged over classes. */
export function diceSummary(records: DiceRecord[]): Record<string, Partial<Record<Thickness | 'mixed', DiceSummary>>> {
  const out: Record<string, Partial<Record<Thickness | 'mixed', DiceSummary>>> = {};
  for (const [modality, recs] of groupBy(records, (r) => modalityName(r.modality))) {
    const entry: Partial<Record<Thickness | 'mixed', DiceSummary>> = {};
    for (const [thickness, rs] of groupBy(recs, (r) => r.thickness)) entry[thickness as Thickness] = summarise(rs);
    entry.mixed = summarise(recs);
    out[modality] = entry;
  }
  return out;
}
