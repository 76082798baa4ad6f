/** Dice per foreground class from integer label maps. Pure. */

/**
 * Dice_c = 2|P∩G| / (|P| + |G|) for c = 1..classes−1 (background excluded). A class absent from
 * both prediction and ground truth gives NaN (no evidence), so means skip it rather than count 1.
 */
export function dicePerClass(pred: ArrayLike<number>, truth: ArrayLike<number>, classes: number): number[] {
  if (pred.length !== truth.length) throw new Error(`dice: prediction has ${pred.length} pixels, ground truth ${truth.length}`);
  const inter = new Float64Array(classes);
  const sp = new Float64Array(classes);
  const st = new Float64Array(classes);
  for (let i = 0; i < pred.length; i++) {
    const p = pred[i];
    const t = truth[i];
    if (!(p >= 0 && p < classes && t >= 0 && t < classes)) throw new Error(`dice: pixel ${i} has class ${p}/${t}, expected 0..${classes - 1}`);
    sp[p]++;
    st[t]++;
    if (p === t) inter[p]++;
  }
  const out: number[] = [];
  for (let c = 1; c < classes; c++) out.push(sp[c] + st[c] === 0 ? Number.NaN : (2 * inter[c]) / (sp[c] + st[c]));
  return out;
}

/** Mean of the finite entries (NaN when none). */
export function nanMean(xs: number[]): number {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : Number.NaN;
}
