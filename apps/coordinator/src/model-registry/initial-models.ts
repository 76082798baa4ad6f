/**
 * Initial global models the coordinator can create by name from a run config's `model` field.
 *   classifier[:<px>][:lung][:gn], segmenter[:<px>][:gn]   the tfjs networks of @unbox/models (namedModel), all
 *                     weights in model order under their layer names, batch-norm statistics included
 * and small pure-TypeScript models used by simulations and tests:
 *   logreg:<d>        logistic regression over d features: `dense/kernel` [d,1], `dense/bias` [1]
 *   mlp:<d>:<h>       one hidden ReLU layer: `hidden/kernel` [d,h], `hidden/bias` [h], `out/kernel` [h,1], `out/bias` [1]
 * Weights come from seeded initialisers (the small models: Glorot-uniform, biases zero), so a run is reproducible.
 */
import type { Tensor } from '@unbox/fl';
import { buildNamedModel, namedModel, readWeights, rng } from '@unbox/models';

export type InitialModel = (seed: number) => Tensor[];

function glorot(rows: number, cols: number, rand: () => number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (2 * rand() - 1) * limit);
}

const MAX_DIM = 1 << 20;

function dim(v: string | undefined, what: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > MAX_DIM) throw new Error(`model '${name}': ${what} must be an integer from 1 to ${MAX_DIM}`);
  return n;
}

/** The model a name describes; throws naming the known families when the name is unknown. */
export function initialModel(name: string): InitialModel {
  const [family, ...args] = name.split(':');
  if (family === 'classifier' || family === 'segmenter') {
    const m = namedModel(name);
    return (seed) => {
      const model = buildNamedModel(m, seed);
      try {
        return readWeights(model);
      } finally {
        model.dispose();
      }
    };
  }
  if (family === 'logreg') {
    const d = dim(args[0], 'features', name);
    return (seed) => [
      { name: 'dense/kernel', shape: [d, 1], data: glorot(d, 1, rng(seed)) },
      { name: 'dense/bias', shape: [1], data: new Float32Array(1) },
    ];
  }
  if (family === 'mlp') {
    const d = dim(args[0], 'features', name);
    const h = dim(args[1], 'hidden units', name);
    return (seed) => {
      const r = rng(seed);
      return [
        { name: 'hidden/kernel', shape: [d, h], data: glorot(d, h, r) },
        { name: 'hidden/bias', shape: [h], data: new Float32Array(h) },
        { name: 'out/kernel', shape: [h, 1], data: glorot(h, 1, r) },
        { name: 'out/bias', shape: [1], data: new Float32Array(1) },
      ];
    };
  }
  throw new Error(`model '${name}': unknown model (built in: classifier[:<px>][:lung][:gn], segmenter[:<px>][:gn], logreg:<features>, mlp:<features>:<hidden>)`);
}
