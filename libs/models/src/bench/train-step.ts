/**
 * Benchmark: training-step time of the default classifier and segmenter configs on the active
 * backend. Prints one JSON line per net (notes/result-formats.md, "train" benchmarks).
 * Run: UNBOX_BACKEND=wasm npx tsx libs/models/src/bench/train-step.ts [--steps 5] [--batch 8] [--size 128]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend } from '../backend/select.js';
import { buildClassifier, runClassifier } from '../classifier/model.js';
import { classifierLoss } from '../classifier/objective.js';
import { buildSegmenter } from '../segmenter/model.js';
import { supervisedLoss } from '../segmenter/losses.js';
import { adam, step } from '../train/step.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '5' }, batch: { type: 'string', default: '8' }, size: { type: 'string', default: '128' }, net: { type: 'string', default: 'classifier,segmenter' } } });
const steps = Number(values.steps);
const batch = Number(values.batch);
const size = Number(values.size);
tf.env().set('PROD', true);
const info = await selectBackend();

function time(run: () => number): number {
  run(); // warm-up (graph build, kernel init)
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) run();
  return (performance.now() - t0) / steps;
}

for (const net of values.net.split(',')) {
  const backbone = { depth: 18 as const, width: 0.25, inputSize: size, inputChannels: 1, stem: 'imagenet' as const };
  const x = tf.randomNormal([batch, size, size, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  let ms: number;
  if (net === 'classifier') {
    const { model, config } = buildClassifier({ backbone }, { seed: 1 });
    const opt = adam();
    const spans = [{ start: 0, count: batch, label: [0, 1] }];
    ms = time(() => step(model, opt, () => classifierLoss(model, runClassifier(model, x, true), spans, config), config.weightDecay));
  } else if (net === 'segmenter') {
    const { model, config } = buildSegmenter({ encoder: backbone }, { seed: 1 });
    const opt = adam();
    const y = tf.zeros([batch, size, size], 'int32') as tf.Tensor3D;
    ms = time(() => step(model, opt, () => supervisedLoss(model.apply(x, { training: true }) as tf.Tensor4D, y), config.weightDecay));
  } else {
    throw new Error(`--net ${net}: expected classifier or segmenter`);
  }
  console.log(JSON.stringify({ bench: 'train', net, backend: info.backend, threads: info.threads, batch, size, img_per_s: +(batch / (ms / 1000)).toFixed(2), step_ms: +ms.toFixed(1), config: { depth: 18, width: 0.25, stem: 'imagenet' }, seed: 1, versions: info.versions, created: new Date().toISOString() }));
}
