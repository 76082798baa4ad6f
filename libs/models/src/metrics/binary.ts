/** Threshold metrics of a binary classifier (positive = 1). Pure. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function checkBinary(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) throw new Error(`metrics: ${labels.length} labels but ${scores.length} scores`);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`metrics: label ${i} is ${labels[i]}, expected 0 or 1`);
    if (!Number.isFinite(scores[i])) throw new Error(`metrics: score ${i} is ${scores[i]}, expected a finite number`);
  }
}

export function confusion(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): BinaryCounts {
  checkBinary(labels, scores);
  const c: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    const pred = scores[i] >= threshold;
    if (labels[i] === 1) pred ? c.tp++ : c.fn++;
    else pred ? c.fp++ : c.tn++;
  }
  return c;
}

/** 0/0 is reported as NaN (undefined), never as a made-up 0 or 1; JSON writers turn it into null. */
const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);

export const accuracy = (c: BinaryCounts) => ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn);
export const precision = (c: BinaryCounts) => ratio(c.tp, c.tp + c.fp);
export const sensitivity = (c: BinaryCounts) => ratio(c.tp, c.tp + c.fn);
export const specificity = (c: BinaryCounts) => ratio(c.tn, c.tn + c.fp);
