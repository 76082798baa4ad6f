/**
 * The federated experiment's learning curves (`--curve k`): both models scored every k rounds, the
 * centralised one at the same share of the common step budget. On 24 patients one checkpoint's
 * AUC moves by ±0.1 from one round to the next, so a single final checkpoint says little; the
 * mean over the second half of training says more, with its spread.
 */

/** The rounds scored: every k-th, and the last. */
export function curveRounds(rounds: number, every: number): number[] {
  if (!(Number.isInteger(every) && every >= 1 && every <= rounds)) throw new Error(`--curve must be a whole number in [1, ${rounds}] (the rounds), got ${every}`);
  const out: number[] = [];
  for (let r = every; r <= rounds; r += every) out.push(r);
  if (out[out.length - 1] !== rounds) out.push(rounds);
  return out;
}

/**
 * The AUCs of one model at one point: with the model's own batch-norm statistics, and with each
 * centre's own (`_adabn`: AdaBN per centre, what a site keeping its statistics scores; NaN for a
 * network without batch norm).
 */
export interface CurveScores {
  unseen_patient_auc: number;
  unseen_image_auc: number;
  test_patient_auc: number;
  test_image_auc: number;
  unseen_patient_auc_adabn: number;
  unseen_image_auc_adabn: number;
  test_patient_auc_adabn: number;
  test_image_auc_adabn: number;
}

export interface CurvePoint {
  round: number;
  /** the centralised model's step with the same share of the budget */
  central_step: number;
  federated: CurveScores;
  centralised: CurveScores;
}

export interface MeanSd {
  mean: number;
  /** sample standard deviation (n − 1); 0 for one point */
  sd: number;
}

export interface CurveSummary {
  /** points with round > from_round (the second half of training) */
  from_round: number;
  points: number;
  federated: Record<keyof CurveScores, MeanSd>;
  centralised: Record<keyof CurveScores, MeanSd>;
}

export function meanSd(xs: readonly number[]): MeanSd {
  if (xs.length === 0) throw new Error('mean of no values');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

const PLAIN = ['unseen_patient_auc', 'unseen_image_auc', 'test_patient_auc', 'test_image_auc'] as const;
const KEYS: (keyof CurveScores)[] = [...PLAIN, ...PLAIN.map((k) => `${k}_adabn` as const)];

/** Mean and spread of every score over the points after half the rounds. */
export function summariseCurve(points: readonly CurvePoint[], rounds: number): CurveSummary {
  const from = Math.floor(rounds / 2);
  const late = points.filter((p) => p.round > from);
  const of = (m: 'federated' | 'centralised') => Object.fromEntries(KEYS.map((k) => [k, meanSd(late.map((p) => p[m][k]))])) as Record<keyof CurveScores, MeanSd>;
  return { from_round: from, points: late.length, federated: of('federated'), centralised: of('centralised') };
}
