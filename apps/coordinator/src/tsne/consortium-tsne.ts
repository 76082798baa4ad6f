/**
 * The consortium t-SNE of one round (issue #5), pure computation: the pooled backbone features the
 * opted-in sites shared with their fit results, stacked into one matrix, embedded in 2-D with
 * libs/xai's t-SNE (sklearn's defaults: perplexity 30, exact gradient up to 2000 points), with the
 * embedding's trustworthiness (sklearn, k = 5) and how strongly the centres separate, in the
 * embedding and in the features themselves (silhouette of the centres, k-NN centre agreement and
 * its chance level), so "centres separate before federation and less after" is a number per round;
 * the same measures for the class labels say whether the features separate the classes.
 */
import { ConsortiumTsne, type SharedFeatures } from '@unbox/protocol';
import { knnLabelAgreement, silhouette, trustworthiness, tsne, type Matrix } from '@unbox/xai';

export interface SiteFeatures {
  centre: string;
  features: SharedFeatures;
}

/** Fewest points a t-SNE is run on (perplexity, trustworthiness and k-NN need a few neighbours). */
export const MIN_POINTS = 8;

/** sklearn requires perplexity < N; below 91 points the default 30 is lowered to (N − 1) / 3. */
export function perplexityFor(n: number): number {
  return Math.min(30, (n - 1) / 3);
}

type Separation = ConsortiumTsne['centre_separation']['embedding'];

/** Silhouette and k-NN agreement of the groups (centres, or class labels) in `x`; nulls with fewer than 2 groups. */
export function centreSeparation(x: Matrix, centres: readonly string[], k = 10): Separation {
  const sizes = new Map<string, number>();
  for (const c of centres) sizes.set(c, (sizes.get(c) ?? 0) + 1);
  const n = centres.length;
  if (sizes.size < 2 || sizes.size > n - 1) return { silhouette: null, knn_agreement: null, knn_chance: null, k: null };
  const kk = Math.min(k, n - 1);
  // expected share of same-centre neighbours when neighbours are drawn at random from the other points
  let chance = 0;
  for (const s of sizes.values()) chance += (s * (s - 1)) / (n * (n - 1));
  return { silhouette: silhouette(x, centres), knn_agreement: knnLabelAgreement(x, centres, kk), knn_chance: chance, k: kk };
}

/** The features of the sites whose vectors have the round's common length (the most frequent one). */
export function commonDim(sites: readonly SiteFeatures[]): { dim: number; kept: SiteFeatures[]; dropped: string[] } {
  const count = new Map<number, number>();
  for (const s of sites) count.set(s.features.dim, (count.get(s.features.dim) ?? 0) + s.features.samples.length);
  const dim = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
  return { dim, kept: sites.filter((s) => s.features.dim === dim), dropped: sites.filter((s) => s.features.dim !== dim).map((s) => s.centre) };
}

export function consortiumTsne(run: string, round: number, sites: readonly SiteFeatures[], now: number): ConsortiumTsne {
  const t0 = performance.now();
  const { dim, kept, dropped } = commonDim(sites);
  if (dropped.length > 0) throw new Error(`sites ${dropped.join(', ')} shared ${dim === 0 ? 'no' : 'differently sized'} features (the round's features have ${dim} values)`);
  const n = kept.reduce((a, s) => a + s.features.samples.length, 0);
  if (n < MIN_POINTS) throw new Error(`only ${n} shared feature vectors (at least ${MIN_POINTS} are needed)`);
  const units = new Set(kept.map((s) => s.features.unit));
  if (units.size > 1) throw new Error(`sites shared features of different units (${[...units].join(', ')})`);
  const data = new Float64Array(n * dim);
  const centres: string[] = [];
  const labels: string[] = [];
  for (const s of kept)
    for (const p of s.features.samples) {
      data.set(p.values, centres.length * dim);
      centres.push(s.centre);
      labels.push(p.label);
    }
  const x: Matrix = { data, rows: n, cols: dim };
  const perplexity = perplexityFor(n);
  const r = tsne(x, { perplexity });
  const emb: Matrix = { data: r.embedding, rows: n, cols: 2 };
  const tk = Math.min(5, Math.ceil(n / 2) - 1);
  const sigma: Record<string, number> = {};
  for (const s of kept) sigma[s.centre] = s.features.noise_sigma;
  return ConsortiumTsne.parse({
    run_id: run,
    round,
    points: centres.map((centre, i) => ({ x: r.embedding[2 * i], y: r.embedding[2 * i + 1], centre, label: labels[i] })),
    kl: r.klDivergence,
    trustworthiness: trustworthiness(x, emb, tk),
    trustworthiness_k: tk,
    perplexity,
    n,
    dim,
    noise_sigma: Math.max(0, ...Object.values(sigma)),
    noise_sigma_by_centre: sigma,
    unit: [...units][0],
    method: r.method,
    n_iter: r.nIter,
    centre_separation: { embedding: centreSeparation(emb, centres), features: centreSeparation(x, centres) },
    label_separation: { embedding: centreSeparation(emb, labels), features: centreSeparation(x, labels) },
    seconds: (performance.now() - t0) / 1000,
    created_at: now,
  });
}
