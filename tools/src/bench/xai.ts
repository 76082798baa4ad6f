/**
 * `npm run bench -- xai [--method lime|kernel_shap|tsne|all] [--model tfjs|ts] [--backend wasm|cpu]
 *  [--points 1000,5000] [--seed N]`
 *
 * Seconds per explanation for LIME (1000 samples) and Kernel SHAP (default budget 2M + 2048) on a
 * synthetic 128-px chest-CT-like slice cut into ~50 SLIC superpixels (48 with the defaults), and t-SNE seconds for 1 k and
 * 5 k synthetic feature vectors (exact ≤ 2 k points, Barnes–Hut above). One JSON line per figure
 * (shared/notes/result-formats.md: {"bench": "xai", "method", "n", "seconds"} plus cpu_seconds,
 * backend, seed, config, versions, created). For LIME and Kernel SHAP `n` counts model
 * evaluations (Kernel SHAP: the budget plus f(x) and f(baseline)).
 *
 * The model is NOT a trained Unbox model: `--model tfjs` (default) is a small fixed conv net with
 * seeded random weights (3 strided 3×3 convs 8/16/32 + an EDM-style 1×1 conv head, spatial mean,
 * sigmoid) run by tfjs in batches; `--model ts` is a pure-TypeScript stand-in (sigmoid of a
 * Gaussian-template response). The "model" field of every line says which one ran.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fromRows, kernelShapImage, limeImage, Rng, slic, trustworthiness, tsne, type BatchPredict, type Image2D } from '@unbox/xai';

const SIZE = 128;
const SLIC_SEGMENTS = 60;

interface Args {
  method: string;
  model: 'tfjs' | 'ts';
  backend: string;
  points: number[];
  seed: number;
}

function parseArgs(args: string[]): Args {
  const out: Args = { method: 'all', model: 'tfjs', backend: 'wasm', points: [1000, 5000], seed: 0 };
  for (let i = 0; i < args.length; i++) {
    const key = args[i];
    const val = args[i + 1];
    if (val === undefined) throw new Error(`bench xai: ${key} needs a value`);
    i++;
    if (key === '--method') {
      if (!['lime', 'kernel_shap', 'tsne', 'all'].includes(val)) throw new Error(`bench xai: --method ${val}: expected lime, kernel_shap, tsne or all`);
      out.method = val;
    } else if (key === '--model') {
      if (val !== 'tfjs' && val !== 'ts') throw new Error(`bench xai: --model ${val}: expected tfjs or ts`);
      out.model = val;
    } else if (key === '--backend') {
      if (val !== 'wasm' && val !== 'cpu') throw new Error(`bench xai: --backend ${val}: expected wasm or cpu`);
      out.backend = val;
    } else if (key === '--points') {
      out.points = val.split(',').map(Number);
      if (out.points.some((n) => !(Number.isInteger(n) && n >= 100))) throw new Error(`bench xai: --points ${val}: expected integers ≥ 100`);
    } else if (key === '--seed') {
      out.seed = Number(val);
      if (!Number.isInteger(out.seed)) throw new Error(`bench xai: --seed ${val}: expected an integer`);
    } else throw new Error(`bench xai: unknown option ${key}`);
  }
  return out;
}

/** A 128-px chest-CT-like slice in HU: body, two lungs, a ground-glass lesion, noise. */
function syntheticSlice(seed: number): Image2D {
  const rng = new Rng(seed);
  const data = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const u = (x - 64) / 58;
      const v = (y - 64) / 44;
      let hu = -1000;
      if (u * u + v * v < 1) hu = 40;
      for (const cx of [40, 88]) if (((x - cx) / 20) ** 2 + ((y - 62) / 30) ** 2 < 1) hu = -850;
      if ((x - 92) ** 2 + (y - 70) ** 2 < 100) hu = -400; // lesion
      data[y * SIZE + x] = hu + 20 * rng.normal();
    }
  return { data, width: SIZE, height: SIZE };
}

async function tfjsModel(backend: string, seed: number): Promise<{ predict: BatchPredict; name: string; backend: string }> {
  if (backend === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
    } catch {
      process.stderr.write('bench xai: @tensorflow/tfjs-backend-wasm not installed, using cpu\n');
    }
  }
  if (!(await tf.setBackend(backend).catch(() => false))) await tf.setBackend('cpu');
  await tf.ready();
  const input = tf.input({ shape: [SIZE, SIZE, 1] });
  let h = input as tf.SymbolicTensor;
  [8, 16, 32].forEach((filters, i) => {
    h = tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + i }) }).apply(h) as tf.SymbolicTensor;
  });
  h = tf.layers.conv2d({ filters: 1, kernelSize: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 9 }) }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: h });
  const predict: BatchPredict = async (batch) => {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(concat(batch), [batch.length, SIZE, SIZE, 1]).add(1000).div(1000); // HU → ~[0, 1]
      return tf.sigmoid(model.predict(x) as tf.Tensor).reshape([batch.length]);
    });
    const y = (await out.data()) as Float32Array;
    out.dispose();
    return y;
  };
  return { predict, name: 'tfjs fixed random-weight conv net (3×conv3x3/2 8-16-32 + EDM 1×1 head, mean, sigmoid); not a trained model', backend: tf.getBackend() };
}

/** CPU time of this process since `c0` (user + system): wall time is inflated on a shared machine. */
function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function concat(batch: Float32Array[]): Float32Array {
  const out = new Float32Array(batch.length * SIZE * SIZE);
  batch.forEach((b, i) => out.set(b, i * SIZE * SIZE));
  return out;
}

function tsModel(): { predict: BatchPredict; name: string; backend: string } {
  const template = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) template[y * SIZE + x] = Math.exp(-((x - 92) ** 2 + (y - 70) ** 2) / 200) / 1000;
  const predict: BatchPredict = async (batch) =>
    batch.map((img) => {
      let s = 0;
      for (let p = 0; p < img.length; p++) s += template[p] * (img[p] + 600);
      return 1 / (1 + Math.exp(-s));
    });
  return { predict, name: 'pure-TS stand-in (sigmoid of a Gaussian lesion template response); not a neural network', backend: 'none (pure TypeScript)' };
}

/** Synthetic backbone-like features: 4 centres × 2 labels, 64-D. */
function features(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const means = Array.from({ length: 8 }, () => Array.from({ length: 64 }, () => 3 * rng.normal()));
  return Array.from({ length: n }, (_, i) => means[i % 8].map((m) => m + rng.normal()));
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  const versions = { unbox: pkg.version, tfjs: tf.version.tfjs, node: process.versions.node };
  const emit = (o: Record<string, unknown>): void => {
    process.stdout.write(JSON.stringify({ bench: 'xai', ...o, seed: args.seed, versions, created: new Date().toISOString() }) + '\n');
  };
  if (args.method === 'lime' || args.method === 'kernel_shap' || args.method === 'all') {
    const img = syntheticSlice(args.seed);
    // skimage-style SLIC merges fragments below half a cell, so ask for 60 to get ~50 (48 on this slice).
    const sp = slic(img, { nSegments: SLIC_SEGMENTS });
    const model = args.model === 'tfjs' ? await tfjsModel(args.backend, args.seed) : tsModel();
    const batchSize = 64;
    await model.predict([img.data]); // warm-up (kernel compilation)
    const base = { model: model.name, backend: model.backend, image_px: SIZE, superpixels: sp.count };
    if (args.method !== 'kernel_shap') {
      process.stderr.write(`bench xai: LIME, ${sp.count} superpixels…\n`);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await limeImage(img, sp, model.predict, { seed: args.seed, batchSize });
      const seconds = (performance.now() - t0) / 1000;
      const cpu_seconds = cpuSeconds(c0);
      emit({ method: 'lime', n: r.numSamples, seconds, cpu_seconds, ...base, config: { numSamples: 1000, kernelWidth: 0.25, alpha: 1, fill: 'mean', batchSize, slic: { nSegments: SLIC_SEGMENTS, compactness: 0.1 } }, r2: r.score });
    }
    if (args.method !== 'lime') {
      process.stderr.write(`bench xai: Kernel SHAP, ${sp.count} superpixels…\n`);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = await kernelShapImage(img, sp, model.predict, { seed: args.seed, batchSize });
      const seconds = (performance.now() - t0) / 1000;
      const cpu_seconds = cpuSeconds(c0);
      const efficiencyError = Math.abs(r.values.reduce((a, b) => a + b, 0) - (r.fx - r.baseValue));
      emit({ method: 'kernel_shap', n: r.nsamples + 2, seconds, cpu_seconds, ...base, config: { nsamples: `2M+2048`, fill: 'mean', batchSize, slic: { nSegments: SLIC_SEGMENTS, compactness: 0.1 } }, efficiency_error: efficiencyError });
    }
  }
  if (args.method === 'tsne' || args.method === 'all') {
    for (const n of args.points) {
      process.stderr.write(`bench xai: t-SNE, ${n} points…\n`);
      const x = fromRows(features(n, args.seed + n));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const r = tsne(x);
      const seconds = (performance.now() - t0) / 1000;
      const cpu_seconds = cpuSeconds(c0);
      const trust = trustworthiness(x, { data: r.embedding, rows: n, cols: 2 }, 5);
      emit({ method: 'tsne', n, seconds, cpu_seconds, backend: 'none (pure TypeScript)', tsne_method: r.method, iterations: r.nIter, kl_divergence: r.klDivergence, trustworthiness: trust, config: { perplexity: 30, early_exaggeration: 12, learning_rate: r.learningRate, max_iter: 1000, init: 'pca', angle: 0.5, dim: 64 } });
    }
  }
}
