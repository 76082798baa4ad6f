/**
 * What an opted-in site sends for the consortium t-SNE (libs/protocol SharedFeatures): the
 * trainer's pooled backbone features of a capped sample of its own patients or slices, each with
 * its class label only, plus Gaussian noise of the configured σ on every value. The noise comes
 * from the operating system's CSPRNG, never from a seed a third party could know, so it cannot be
 * subtracted again.
 */
import { randomFillSync } from 'node:crypto';
import { SharedFeatures } from '@unbox/protocol';

export interface FeatureSample {
  unit: 'patient' | 'slice';
  samples: { label: string; values: Float32Array }[];
}

/** Standard normal draws (Box–Muller over CSPRNG uniforms in (0, 1]). */
export function gaussian(n: number): Float64Array {
  const u = new Uint32Array(2 * Math.ceil(n / 2));
  randomFillSync(u);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const a = (u[i] + 1) / 2 ** 32;
    const b = (u[i + 1] + 1) / 2 ** 32;
    const r = Math.sqrt(-2 * Math.log(a));
    out[i] = r * Math.cos(2 * Math.PI * b);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * b);
  }
  return out;
}

/** The wire form, noise added; throws (naming the field) when the sample breaks the protocol's caps. */
export function sharedFeatures(sample: FeatureSample, noiseSigma: number, noise: (n: number) => ArrayLike<number> = gaussian): SharedFeatures {
  if (sample.samples.length === 0) throw new Error('no feature vectors to share');
  const dim = sample.samples[0].values.length;
  const samples = sample.samples.map((s) => {
    const z = noiseSigma > 0 ? noise(s.values.length) : null;
    return { label: s.label, values: Array.from(s.values, (v, i) => (z ? v + noiseSigma * z[i] : v)) };
  });
  const r = SharedFeatures.safeParse({ layer: 'backbone_gap', unit: sample.unit, dim, noise_sigma: noiseSigma, samples });
  if (!r.success) throw new Error(`shared features: field '${r.error.issues[0].path.join('.')}': ${r.error.issues[0].message}`);
  return r.data;
}
