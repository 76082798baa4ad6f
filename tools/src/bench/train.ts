/**
 * `npm run bench -- train [--threads 1,2] [--steps 10] [--warmup 3] [--backend unbox-native|wasm|cpu]
 *   [--nets benchnet,benchnet-layers-bn] [--torch path/to/torch_benchnet.py]`
 * Training throughput on random data after warm-up, one JSON line per (net, threads):
 * {"bench":"train","net","backend","threads","img_per_s","step_ms", ...}. The backend is the
 * native oneDNN engine when it is built, else wasm; the line says which ran. --torch runs the
 * PyTorch twin of benchnet with the same threads right after, for the ratio.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { BENCHNET, benchnet, engineStatus, registerEngine, setEngineThreads, trainStep, type BatchNormKind } from '@unbox/models/engine';

interface Options { threads: number[]; steps: number; warmup: number; backend?: string; nets: string[]; torch?: string; seed: number }

function parse(args: string[]): Options {
  const o: Options = { threads: [1, 2], steps: 10, warmup: 3, nets: ['benchnet'], seed: 0 };
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
    else if (key === '--backend') o.backend = need();
    else if (key === '--nets') o.nets = need().split(',');
    else if (key === '--torch') o.torch = need();
    else throw new Error(`bench train: unknown option ${key}`);
  }
  for (const n of o.nets) if (!['benchnet', 'benchnet-layers-bn'].includes(n)) throw new Error(`bench train: unknown net ${n} (benchnet, benchnet-layers-bn)`);
  return o;
}

async function activate(wanted: string | undefined): Promise<{ backend: string; detail: string }> {
  const status = engineStatus();
  if (wanted === undefined || wanted === 'unbox-native') {
    const got = await registerEngine();
    if (got) return { backend: got.backend, detail: status.detail };
    if (wanted) throw new Error(`bench train: the native engine is not available: ${status.detail}`);
    process.stderr.write(`native engine unavailable (${status.detail}); falling back to wasm\n`);
    wanted = 'wasm';
  }
  if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(wanted))) throw new Error(`bench train: backend ${wanted} did not start`);
  return { backend: wanted, detail: wanted === 'wasm' ? 'tfjs wasm (1 thread)' : `tfjs ${wanted}` };
}

function unboxVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

function measure(net: string, opts: Options): { step_ms: number; final_loss: number } {
  const bn: BatchNormKind = net === 'benchnet-layers-bn' ? 'layers' : 'fused';
  const model = benchnet(bn);
  const optimizer = tf.train.adam(BENCHNET.lr);
  const x = tf.randomNormal([BENCHNET.batch, BENCHNET.input, BENCHNET.input, BENCHNET.channels], 0, 1, 'float32', opts.seed) as tf.Tensor4D;
  const labels = tf.randomUniform([BENCHNET.batch], 0, BENCHNET.classes, 'int32', opts.seed + 1) as tf.Tensor1D;
  const y = tf.tidy(() => tf.oneHot(labels, BENCHNET.classes).toFloat()) as tf.Tensor2D;
  for (let i = 0; i < opts.warmup; i++) trainStep(model, optimizer, x, y);
  let loss = NaN;
  const t0 = performance.now();
  for (let i = 0; i < opts.steps; i++) loss = trainStep(model, optimizer, x, y);
  const step_ms = (performance.now() - t0) / opts.steps;
  tf.dispose([x, labels, y]);
  model.dispose();
  optimizer.dispose();
  return { step_ms, final_loss: loss };
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
  const versions = { unbox: unboxVersion(), tfjs: tf.version.tfjs, node: process.versions.node };
  for (const net of opts.nets) {
    for (const threads of opts.threads) {
      if (backend === 'unbox-native') setEngineThreads(threads);
      const effective = backend === 'unbox-native' ? threads : 1;
      process.stderr.write(`train ${net} on ${backend}, ${effective} thread(s)...\n`);
      const { step_ms, final_loss } = measure(net, opts);
      const line: Record<string, unknown> = {
        bench: 'train', net, backend, threads: effective,
        img_per_s: Number((BENCHNET.batch * 1000 / step_ms).toFixed(1)), step_ms: Number(step_ms.toFixed(1)),
        engine: detail, batch: BENCHNET.batch, steps: opts.steps, warmup: opts.warmup, final_loss,
        seed: opts.seed, config: { ...BENCHNET, batch_norm: net === 'benchnet-layers-bn' ? 'tf.layers.batchNormalization' : 'engine fused' },
        versions, created: new Date().toISOString(),
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
