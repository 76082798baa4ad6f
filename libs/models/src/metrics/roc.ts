/** ROC-AUC (Mann–Whitney U with ties counted ½), ROC and precision–recall curves. Pure. */
import { checkBinary } from './binary.js';

/** AUC = P(score_pos > score_neg) + ½ P(equal), from mid-ranks. NaN when a class is absent. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkBinary(labels, scores);
  const idx = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (labels[idx[t]] === 1) { rankSumPos += midRank; nPos++; }
    i = j + 1;
  }
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Distinct thresholds, descending, with the cumulative (tp, fp) at each (ties grouped). */
function sweep(labels: ArrayLike<number>, scores: ArrayLike<number>): { tp: number; fp: number }[] {
  checkBinary(labels, scores);
  const idx = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const out: { tp: number; fp: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < idx.length; i++) {
    labels[idx[i]] === 1 ? tp++ : fp++;
    if (i === idx.length - 1 || scores[idx[i + 1]] !== scores[idx[i]]) out.push({ tp, fp });
  }
  return out;
}

/** ROC curve as [fpr, tpr] points from (0,0) to (1,1), one per distinct threshold (as sklearn with drop_intermediate=False). */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): [number, number][] {
  const pts = sweep(labels, scores);
  const p = pts.length ? pts[pts.length - 1].tp : 0;
  const n = pts.length ? pts[pts.length - 1].fp : 0;
  if (p === 0 || n === 0) return [];
  return [[0, 0], ...pts.map(({ tp, fp }) => [fp / n, tp / p] as [number, number])];
}

/** PR curve as [recall, precision] points, recall ascending, starting at (0, 1) as sklearn does. */
export function prCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): [number, number][] {
  const pts = sweep(labels, scores);
  const p = pts.length ? pts[pts.length - 1].tp : 0;
  if (p === 0) return [];
  return [[0, 1], ...pts.map(({ tp, fp }) => [tp / p, tp / (tp + fp)] as [number, number])];
}
