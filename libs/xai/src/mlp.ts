/**
 * A small fully connected regressor in plain TypeScript: tanh hidden layers, sigmoid output
 * (targets in [0, 1], e.g. Dice scores), mean squared error, full-batch Adam (Kingma & Ba 2015,
 * β = (0.9, 0.999), ε = 1e-8), Glorot-uniform initialisation from a seed.
 */
import { Rng } from './rng.js';

export interface MlpOptions {
  hidden?: number[];
  epochs?: number;
  learningRate?: number;
  seed?: number;
}

export interface Mlp {
  sizes: number[];
  /** Per layer: weights (out × in, row-major) and biases. */
  weights: Float64Array[];
  biases: Float64Array[];
}

export function initMlp(sizes: number[], seed: number): Mlp {
  const rng = new Rng(seed);
  const weights: Float64Array[] = [];
  const biases: Float64Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [fin, fout] = [sizes[l], sizes[l + 1]];
    const lim = Math.sqrt(6 / (fin + fout));
    weights.push(Float64Array.from({ length: fin * fout }, () => (2 * rng.uniform() - 1) * lim));
    biases.push(new Float64Array(fout));
  }
  return { sizes, weights, biases };
}

/** Forward pass for one input; returns the activations of every layer (input first). */
function forward(m: Mlp, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  const L = m.weights.length;
  for (let l = 0; l < L; l++) {
    const fin = m.sizes[l];
    const fout = m.sizes[l + 1];
    const a = acts[l];
    const z = new Float64Array(fout);
    for (let o = 0; o < fout; o++) {
      let s = m.biases[l][o];
      for (let i = 0; i < fin; i++) s += m.weights[l][o * fin + i] * a[i];
      z[o] = l === L - 1 ? 1 / (1 + Math.exp(-s)) : Math.tanh(s);
    }
    acts.push(z);
  }
  return acts;
}

export function predictMlp(m: Mlp, x: ArrayLike<number>): number {
  const acts = forward(m, x);
  return acts[acts.length - 1][0];
}

/** Fit inputs (N rows of `sizes[0]` values) to targets by MSE; returns the model and the final loss. */
export function fitMlp(inputs: ArrayLike<number>[], targets: ArrayLike<number>, options: MlpOptions = {}): { model: Mlp; loss: number } {
  const N = inputs.length;
  if (N === 0) throw new Error('fitMlp: no samples');
  if (targets.length !== N) throw new Error(`fitMlp: ${N} inputs but ${targets.length} targets`);
  const dIn = inputs[0].length;
  const sizes = [dIn, ...(options.hidden ?? [16, 16]), 1];
  const epochs = options.epochs ?? 1500;
  const lr = options.learningRate ?? 0.01;
  const m = initMlp(sizes, options.seed ?? 0);
  const L = m.weights.length;
  const mW = m.weights.map((w) => new Float64Array(w.length));
  const vW = m.weights.map((w) => new Float64Array(w.length));
  const mB = m.biases.map((b) => new Float64Array(b.length));
  const vB = m.biases.map((b) => new Float64Array(b.length));
  const gW = m.weights.map((w) => new Float64Array(w.length));
  const gB = m.biases.map((b) => new Float64Array(b.length));
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  let loss = NaN;
  for (let epoch = 1; epoch <= epochs + 1; epoch++) {
    gW.forEach((g) => g.fill(0));
    gB.forEach((g) => g.fill(0));
    loss = 0;
    for (let n = 0; n < N; n++) {
      const acts = forward(m, inputs[n]);
      const out = acts[L][0];
      const err = out - targets[n];
      loss += (err * err) / N;
      // dLoss/dz at the sigmoid output
      let delta = Float64Array.of(((2 * err) / N) * out * (1 - out));
      for (let l = L - 1; l >= 0; l--) {
        const fin = sizes[l];
        const fout = sizes[l + 1];
        const a = acts[l];
        const prev = new Float64Array(fin);
        for (let o = 0; o < fout; o++) {
          gB[l][o] += delta[o];
          for (let i = 0; i < fin; i++) {
            gW[l][o * fin + i] += delta[o] * a[i];
            prev[i] += m.weights[l][o * fin + i] * delta[o];
          }
        }
        if (l > 0) for (let i = 0; i < fin; i++) prev[i] *= 1 - a[i] * a[i];
        delta = prev;
      }
    }
    if (epoch > epochs) break; // the last pass only measures the loss
    const c1 = 1 - b1 ** epoch;
    const c2 = 1 - b2 ** epoch;
    const step = (p: Float64Array, g: Float64Array, mm: Float64Array, vv: Float64Array): void => {
      for (let i = 0; i < p.length; i++) {
        mm[i] = b1 * mm[i] + (1 - b1) * g[i];
        vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (lr * (mm[i] / c1)) / (Math.sqrt(vv[i] / c2) + eps);
      }
    };
    for (let l = 0; l < L; l++) {
      step(m.weights[l], gW[l], mW[l], vW[l]);
      step(m.biases[l], gB[l], mB[l], vB[l]);
    }
  }
  return { model: m, loss };
}
