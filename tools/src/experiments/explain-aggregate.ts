/**
 * Consortium-level explanation figures (issue #5) from the per-slice lesion figures that
 * `unbox-site explain --ground-truth` writes into explanation.json: CAM pointing game against its
 * chance level, box IoU, LIME/SHAP "top superpixel is lesion" against chance and their rank AUC
 * (0.5 = chance), per severity, each with a one-sided exact test and a patient-level bootstrap
 * 95 % interval. Pure: no I/O; the experiment (explain.ts) reads the files.
 */
import { ClassifyExplanationJson } from '@unbox/protocol';
import { Rng } from '@unbox/xai';

export type Severity = 'mild' | 'severe';

/** One explained slice that holds lesion pixels, as explanation.json's `slices[].lesion` records it. */
export interface LesionSlice {
  patient: string;
  severity: Severity;
  index: number;
  cam_hit: boolean;
  cam_chance: number;
  cam_hit_exact: boolean;
  cam_chance_exact: number;
  box_iou: number;
  lime_top: boolean;
  lime_chance: number;
  lime_auc: number | null;
  shap_top: boolean;
  shap_chance: number;
  shap_auc: number | null;
}

/**
 * P(X ≥ k) for X = Σ Bernoulli(p_i) (Poisson-binomial), by the exact O(n²) recursion. Under the
 * null "the method points at a random pixel / ranks a random superpixel first", slice i hits with
 * its own chance p_i, so this is the one-sided p-value of k hits.
 */
export function poissonBinomialTail(ps: readonly number[], k: number): number {
  for (const p of ps) if (!(p >= 0 && p <= 1)) throw new RangeError(`probability ${p} is outside [0, 1]`);
  if (k <= 0) return 1;
  if (k > ps.length) return 0;
  // dist[j] = P(j successes among the first i trials)
  let dist = new Float64Array(ps.length + 1);
  dist[0] = 1;
  ps.forEach((p, i) => {
    const next = new Float64Array(ps.length + 1);
    for (let j = 0; j <= i; j++) {
      next[j] += dist[j] * (1 - p);
      next[j + 1] += dist[j] * p;
    }
    dist = next;
  });
  let tail = 0;
  for (let j = k; j <= ps.length; j++) tail += dist[j];
  return Math.min(1, tail);
}

/** One-sided sign test of "values tend to exceed `at`": P(Bin(n₊ + n₋, ½) ≥ n₊), ties with `at` dropped. */
export function signTest(values: readonly number[], at: number): { above: number; below: number; p: number } {
  const above = values.filter((v) => v > at).length;
  const below = values.filter((v) => v < at).length;
  return { above, below, p: poissonBinomialTail(new Array<number>(above + below).fill(0.5), above) };
}

/** Quantile with linear interpolation between order statistics (R type 7, numpy's default) of sorted values. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (!sorted.length) throw new RangeError('quantile of no values');
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * 95 % percentile bootstrap interval of the pooled mean Σ values / n, resampling whole patients
 * (clusters) with replacement: slices of one patient are not independent, so resampling slices
 * would make the interval too narrow. null without any value.
 */
export function clusterBootstrapMean(clusters: readonly (readonly number[])[], opts: { resamples: number; seed: number }): [number, number] | null {
  const groups = clusters.filter((c) => c.length > 0).map((c) => ({ sum: c.reduce((a, b) => a + b, 0), n: c.length }));
  if (!groups.length) return null;
  const rng = new Rng(opts.seed);
  const means: number[] = [];
  for (let b = 0; b < opts.resamples; b++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[rng.int(groups.length)];
      sum += g.sum;
      n += g.n;
    }
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return [quantileSorted(means, 0.025), quantileSorted(means, 0.975)];
}

type Test = 'poisson-binomial' | 'sign' | null;

interface MetricDef {
  metric: string;
  value: (s: LesionSlice) => number | null;
  /** the per-slice chance level (null: the metric has none) */
  chance: ((s: LesionSlice) => number) | null;
  test: Test;
}

const hit = (b: boolean) => (b ? 1 : 0);

export const METRICS: readonly MetricDef[] = [
  { metric: 'cam_pointing_game', value: (s) => hit(s.cam_hit), chance: (s) => s.cam_chance, test: 'poisson-binomial' },
  { metric: 'cam_pointing_game_exact', value: (s) => hit(s.cam_hit_exact), chance: (s) => s.cam_chance_exact, test: 'poisson-binomial' },
  { metric: 'cam_box_mean_iou', value: (s) => s.box_iou, chance: null, test: null },
  { metric: 'lime_top_is_lesion', value: (s) => hit(s.lime_top), chance: (s) => s.lime_chance, test: 'poisson-binomial' },
  { metric: 'shap_top_is_lesion', value: (s) => hit(s.shap_top), chance: (s) => s.shap_chance, test: 'poisson-binomial' },
  { metric: 'lime_rank_auc', value: (s) => s.lime_auc, chance: () => 0.5, test: 'sign' },
  { metric: 'shap_rank_auc', value: (s) => s.shap_auc, chance: () => 0.5, test: 'sign' },
];

export interface MetricRow {
  group: 'all' | Severity;
  metric: string;
  /** lesion slices with a value (rank AUC needs lesion and non-lesion superpixels) */
  n: number;
  patients: number;
  value: number | null;
  ci95_low: number | null;
  ci95_high: number | null;
  chance: number | null;
  /** one-sided p-value of "above chance" (slices as independent trials), null without a chance level */
  p_above_chance: number | null;
  test: Test;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** Every metric over the slices of one group (all, or one severity). */
export function metricRows(group: MetricRow['group'], slices: readonly LesionSlice[], opts: { resamples: number; seed: number }): MetricRow[] {
  return METRICS.map((m) => {
    const kept = slices.filter((s) => m.value(s) !== null);
    const values = kept.map((s) => m.value(s) as number);
    const byPatient = new Map<string, number[]>();
    kept.forEach((s, i) => byPatient.set(s.patient, [...(byPatient.get(s.patient) ?? []), values[i]]));
    const ci = clusterBootstrapMean([...byPatient.values()], opts);
    const chances = m.chance ? kept.map(m.chance) : null;
    let p: number | null = null;
    if (kept.length && m.test === 'poisson-binomial' && chances) p = poissonBinomialTail(chances, values.filter((v) => v === 1).length);
    if (kept.length && m.test === 'sign') p = signTest(values, 0.5).p;
    return {
      group, metric: m.metric, n: kept.length, patients: byPatient.size, value: mean(values), ci95_low: ci?.[0] ?? null, ci95_high: ci?.[1] ?? null,
      chance: chances ? mean(chances) : null, p_above_chance: p, test: m.test,
    };
  });
}

/** Rows for all lesion slices, then mild and severe patients apart. */
export function aggregateLesionSlices(slices: readonly LesionSlice[], opts: { resamples: number; seed: number }): MetricRow[] {
  return [
    ...metricRows('all', slices, opts),
    ...(['mild', 'severe'] as const).flatMap((sev) => metricRows(sev, slices.filter((s) => s.severity === sev), opts)),
  ];
}

/**
 * The lesion slices of one explanation.json (parsed JSON), checked against the protocol's schema
 * because the file crosses a process boundary; an error names the file and the first bad field.
 */
export function lesionSlicesOf(json: unknown, file: string, patient: string, severity: Severity): { explained: number; lesion: LesionSlice[] } {
  const parsed = ClassifyExplanationJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('') : '(root)';
    throw new Error(`${file}: ${field} ${issue?.message ?? 'is not a classify explanation'}`);
  }
  const lesion: LesionSlice[] = parsed.data.slices.flatMap(({ index, lesion: l }) =>
    l === undefined ? [] : [{
      patient, severity, index,
      cam_hit: l.cam_pointing_hit, cam_chance: l.pointing_chance, cam_hit_exact: l.cam_pointing_hit_exact, cam_chance_exact: l.pointing_chance_exact,
      box_iou: l.box_mean_iou,
      lime_top: l.lime.top_is_lesion, lime_chance: l.lime.chance, lime_auc: l.lime.rank_auc,
      shap_top: l.shap.top_is_lesion, shap_chance: l.shap.chance, shap_auc: l.shap.rank_auc,
    }]);
  return { explained: parsed.data.slices.length, lesion };
}

/** A metric of the trained model against the same metric of the randomised model on the same slices. */
export interface BaselineRow {
  group: 'all' | Severity;
  metric: string;
  /** slices with a value under both models */
  n: number;
  trained: number | null;
  randomised: number | null;
  /** mean of trained − randomised over the paired slices */
  difference: number | null;
  /** 95 % patient bootstrap interval of the difference: above 0 = the explanation depends on what the model learnt */
  ci95_low: number | null;
  ci95_high: number | null;
}

/**
 * The model-randomisation sanity check (Adebayo et al. 2018) as figures: each metric of the trained
 * model minus the same metric of the weight-randomised model, paired by patient and slice (same
 * image, same superpixels, same lesion mask). A perturbation method that ranks lesion superpixels
 * first because hiding a bright blob moves any network's output scores as well under the random
 * model, so this difference, not the chance level, is what the trained model adds.
 */
export function baselineRows(trained: readonly LesionSlice[], randomised: readonly LesionSlice[], opts: { resamples: number; seed: number }): BaselineRow[] {
  const key = (s: LesionSlice) => `${s.patient}\u0000${s.index}`;
  const rand = new Map(randomised.map((s) => [key(s), s]));
  const pairs = trained.flatMap((t) => {
    const r = rand.get(key(t));
    return r ? [[t, r] as const] : [];
  });
  const rows = (group: BaselineRow['group'], ps: (readonly [LesionSlice, LesionSlice])[]): BaselineRow[] =>
    METRICS.map((m) => {
      const kept = ps.filter(([t, r]) => m.value(t) !== null && m.value(r) !== null);
      const diffs = new Map<string, number[]>();
      for (const [t, r] of kept) diffs.set(t.patient, [...(diffs.get(t.patient) ?? []), (m.value(t) as number) - (m.value(r) as number)]);
      const ci = clusterBootstrapMean([...diffs.values()], opts);
      const t = mean(kept.map(([x]) => m.value(x) as number));
      const r = mean(kept.map(([, y]) => m.value(y) as number));
      return {
        group, metric: m.metric, n: kept.length, trained: t, randomised: r, difference: t === null || r === null ? null : t - r,
        ci95_low: ci?.[0] ?? null, ci95_high: ci?.[1] ?? null,
      };
    });
  return [...rows('all', pairs), ...(['mild', 'severe'] as const).flatMap((sev) => rows(sev, pairs.filter(([t]) => t.severity === sev)))];
}
