/**
 * `npm run bench -- train [--threads 1,2] [--steps 10] [--warmup 3] [--backend engine|wasm|cpu]
 *   [--nets benchnet,classifier,segmenter,benchnet-fused-bn] [--batch 16] [--precision fp32|bf16]
 *   [--torch path/to/torch_benchnet.py]`
 * Training throughput on random data after warm-up, one JSON line per (net, threads):
 * {"bench":"train","net","backend","threads","img_per_s","step_ms", ...}. The backend is the
 * native oneDNN engine when it is built, else wasm; the line says which ran. benchnet is the
 * issue's yardstick (tf.layers graph; batch 32); classifier and segmenter are the project's
 * default configurations with their own training steps (--batch slices). --torch runs the
 * PyTorch twin of benchnet with the same threads right after, for the ratio.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { adam, buildClassifier, buildSegmenter, classifierStep, segmenterStep, selectBackend, type BackendChoice } from '@unbox/models';
import { BENCHNET, benchnet, enginePrecision, engineStatus, NATIVE_BACKEND, setEnginePrecision, setEngineThreads, trainStep, type BatchNormKind, type EnginePrecision } from '@unbox/models/engine';

const NETS = ['benchnet', 'classifier', 'segmenter', 'benchnet-fused-bn'];

interface Options { threads: number[]; steps: number; warmup: number; backend?: BackendChoice; nets: string[]; batch: number; precision: EnginePrecision; torch?: string; seed: number }

function parse(args: string[]): Options {
  const o: Options = { threads: [1, 2], steps: 10, warmup: 3, nets: ['benchnet', 'classifier', 'segmenter'], batch: 16, precision: 'fp32', seed: 0 };
  for (let i = 0; i < args.length; i++) {
    const key = args[i], val = args[i + 1];
    const need = () => {
      if (val === undefined) throw new Error(`bench train: ${key} needs a value`);
      i++;
      return val;
    };
    const int = (v: string, min: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`bench train: ${key} must be an integer >= ${min}, got ${v}`);
      return n;
    };
    if (key === '--threads') o.threads = need().split(',').map((t) => int(t, 1));
    else if (key === '--steps') o.steps = int(need(), 1);
    else if (key === '--warmup') o.warmup = int(need(), 0);
    else if (key === '--seed') o.seed = int(need(), 0);
    else if (key === '--batch') o.batch = int(need(), 1);
    else if (key === '--precision') {
      const p = need();
      if (p !== 'fp32' && p !== 'bf16') throw new Error(`bench train: --precision ${p}: expected fp32 or bf16`);
      o.precision = p;
    }
    else if (key === '--backend') {
      const b = need();
      if (!['engine', 'wasm', 'cpu'].includes(b)) throw new Error(`bench train: --backend ${b}: expected engine, wasm or cpu`);
      o.backend = b as BackendChoice;
    }
    else if (key === '--nets') o.nets = need().split(',');
    else if (key === '--torch') o.torch = need();
    else throw new Error(`bench train: unknown option ${key}`);
  }
  for (const n of o.nets) if (!NETS.includes(n)) throw new Error(`bench train: unknown net ${n} (${NETS.join(', ')})`);
  return o;
}

/** The engine when built (else wasm, saying why), or the backend asked for; never a silent swap. */
async function activate(wanted: BackendChoice | undefined): Promise<{ backend: string; detail: string }> {
  if (wanted === undefined) {
    const status = engineStatus();
    if (status.available) wanted = 'engine';
    else {
      process.stderr.write(`native engine unavailable (${status.detail}); running the portable wasm backend\n`);
      wanted = 'wasm';
    }
  }
  const info = await selectBackend(wanted);
  const detail = info.backend === NATIVE_BACKEND ? engineStatus().detail : info.backend === 'wasm' ? 'tfjs wasm, XNNPACK, 1 thread' : `tfjs ${info.backend}`;
  return { backend: info.backend, detail };
}

function unboxVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/**
 * Wall time per step, and CPU time of the whole process per step (all threads): on a machine
 * shared with other work the CPU time is the steadier figure.
 */
function timeSteps(run: () => number, opts: Options): { step_ms: number; cpu_ms: number; final_loss: number } {
  for (let i = 0; i < opts.warmup; i++) run();
  let loss = NaN;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < opts.steps; i++) loss = run();
  const c = process.cpuUsage(c0);
  return { step_ms: (performance.now() - t0) / opts.steps, cpu_ms: (c.user + c.system) / 1000 / opts.steps, final_loss: loss };
}

/** One configuration: its batch size, config record and timed steps. */
function measure(net: string, opts: Options): { batch: number; config: Record<string, unknown>; step_ms: number; cpu_ms: number; final_loss: number } {
  if (net === 'benchnet' || net === 'benchnet-fused-bn') {
    const bn: BatchNormKind = net === 'benchnet' ? 'layers' : 'fused';
    const model = benchnet(bn);
    const optimizer = tf.train.adam(BENCHNET.lr);
    const x = tf.randomNormal([BENCHNET.batch, BENCHNET.input, BENCHNET.input, BENCHNET.channels], 0, 1, 'float32', opts.seed) as tf.Tensor4D;
    const labels = tf.randomUniform([BENCHNET.batch], 0, BENCHNET.classes, 'int32', opts.seed + 1) as tf.Tensor1D;
    const y = tf.tidy(() => tf.oneHot(labels, BENCHNET.classes).toFloat()) as tf.Tensor2D;
    const r = timeSteps(() => trainStep(model, optimizer, x, y), opts);
    tf.dispose([x, labels, y]);
    model.dispose();
    optimizer.dispose();
    return { ...r, batch: BENCHNET.batch, config: { ...BENCHNET, batch_norm: bn === 'layers' ? 'tf.layers.batchNormalization' : 'engine FusedBatchNormalization' } };
  }
  const n = opts.batch;
  if (net === 'classifier') {
    const { model, config } = buildClassifier({}, { seed: opts.seed });
    const size = config.backbone.inputSize;
    const x = tf.randomNormal([n, size, size, config.backbone.inputChannels], 0, 1, 'float32', opts.seed) as tf.Tensor4D;
    const label = Array.from({ length: config.numClasses }, (_, i) => (i === 1 ? 1 : 0));
    const optimizer = adam(config.learningRate);
    const r = timeSteps(() => classifierStep(model, config, optimizer, { x, spans: [{ start: 0, count: n, label }] }), opts);
    x.dispose();
    model.dispose();
    optimizer.dispose();
    return { ...r, batch: n, config: { ...config, patients: 1 } };
  }
  const { model, config } = buildSegmenter({}, { seed: opts.seed });
  const size = config.encoder.inputSize;
  const x = tf.randomNormal([n, size, size, config.encoder.inputChannels], 0, 1, 'float32', opts.seed) as tf.Tensor4D;
  const y = tf.randomUniform([n, size, size], 0, config.numClasses, 'int32', opts.seed + 1) as tf.Tensor3D;
  const optimizer = adam(config.learningRate);
  const r = timeSteps(() => segmenterStep(model, config, optimizer, { kind: 'thick', x, y }), opts);
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  return { ...r, batch: n, config: { ...config, batch_kind: 'thick' } };
}

function torchLine(path: string, threads: number, steps: number): Record<string, unknown> | null {
  const r = spawnSync('/usr/bin/python3', [path, String(threads), String(steps)], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`pytorch twin failed: ${r.stderr}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

export async function main(args: string[]): Promise<void> {
  const opts = parse(args);
  const { backend, detail } = await activate(opts.backend);
  if (opts.precision === 'bf16' && backend !== NATIVE_BACKEND) throw new Error('bench train: --precision bf16 needs the native engine');
  if (backend === NATIVE_BACKEND) setEnginePrecision(opts.precision);
  const precision = backend === NATIVE_BACKEND ? enginePrecision() : 'fp32';
  const versions = { unbox: unboxVersion(), tfjs: tf.version.tfjs, node: process.versions.node };
  // Only the engine runs several threads; the wasm and cpu backends run one in Node. Ascending:
  // after a larger OpenMP team has run, its idle threads keep spinning for a while and were
  // measured to inflate a following 1-thread run (986 vs 359 CPU ms per benchnet step).
  const threadList = backend === NATIVE_BACKEND ? [...new Set(opts.threads)].sort((a, b) => a - b) : [1];
  for (const net of opts.nets) {
    for (const threads of threadList) {
      if (backend === NATIVE_BACKEND) setEngineThreads(threads);
      process.stderr.write(`train ${net} on ${backend}, ${threads} thread(s)...\n`);
      const m = measure(net, opts);
      const line: Record<string, unknown> = {
        bench: 'train', net, backend, threads, precision,
        img_per_s: Number((m.batch * 1000 / m.step_ms).toFixed(1)), step_ms: Number(m.step_ms.toFixed(1)), cpu_ms: Number(m.cpu_ms.toFixed(1)),
        engine: detail, batch: m.batch, steps: opts.steps, warmup: opts.warmup, final_loss: m.final_loss,
        seed: opts.seed, config: m.config, versions, created: new Date().toISOString(),
      };
      if (opts.torch && net.startsWith('benchnet')) {
        const t = torchLine(opts.torch, threads, opts.steps);
        if (t) {
          process.stdout.write(`${JSON.stringify({ bench: 'train', net: 'benchnet', backend: t.framework, threads, img_per_s: t.img_per_s, step_ms: t.step_ms, created: new Date().toISOString() })}\n`);
          line.vs_pytorch = Number((Number(line.img_per_s) / Number(t.img_per_s)).toFixed(2));
        }
      }
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  }
}
