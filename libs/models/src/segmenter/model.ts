/**
 * Segmenter (Fig. 9): ResNet encoder, U-Net skips, decoder upsampling ×2 per level by
 * sub-pixel convolution (Eq. 13: conv to 4·C' channels, then SP with r = 2) or, for the plain
 * U-Net baseline (Table 4), bilinear upsampling followed by a conv. Output: per-pixel logits
 * [N, H, W, classes] at input resolution.
 */
import * as tf from '@tensorflow/tfjs';
import { resnet, convBnRelu } from '../layers/resnet.js';
import { Seeds } from '../layers/init.js';
import { DepthToSpace } from '../layers/depth-to-space-layer.js';
import { stagesModel } from '../layers/backbone-io.js';
import { SegmenterConfigSchema, type SegmenterConfig, type SegmenterConfigInput } from './config.js';

type Sym = tf.SymbolicTensor;

function up2(x: Sym, filters: number, decoder: SegmenterConfig['decoder'], name: string, seeds: Seeds): Sym {
  if (decoder === 'subpixel') {
    const y = tf.layers.conv2d({ filters: filters * 4, kernelSize: 3, padding: 'same', kernelInitializer: seeds.he(), name: `${name}_subpixel_conv` }).apply(x) as Sym;
    return new DepthToSpace({ r: 2, name: `${name}_sp` }).apply(y) as Sym;
  }
  const y = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `${name}_bilinear` }).apply(x) as Sym;
  return tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', kernelInitializer: seeds.he(), name: `${name}_up_conv` }).apply(y) as Sym;
}

const spatial = (s: Sym) => s.shape[1] as number;

/**
 * `seed` makes the initial weights reproducible; `encoder` replaces the built ResNet by a loaded
 * one (a model from backboneOf/stagesModel or any resnet()-built graph), whose input size rules.
 */
export function buildSegmenter(cfgIn: SegmenterConfigInput, opts: { seed?: number; encoder?: tf.LayersModel } = {}): { model: tf.LayersModel; config: SegmenterConfig } {
  const config = SegmenterConfigSchema.parse(cfgIn);
  const seeds = new Seeds(opts.seed);
  let input: Sym;
  let stages: Sym[];
  if (opts.encoder) {
    const enc = stagesModel(opts.encoder);
    const shape = enc.inputs[0].shape;
    if (shape[1] !== config.encoder.inputSize || shape[3] !== config.encoder.inputChannels) {
      throw new Error(`loaded encoder takes ${shape[1]}×${shape[2]}×${shape[3]}, config says ${config.encoder.inputSize}² × ${config.encoder.inputChannels}`);
    }
    input = tf.input({ shape: enc.inputs[0].shape.slice(1) as number[], name: 'segmenter_input' });
    const outs = enc.apply(input);
    stages = Array.isArray(outs) ? (outs as Sym[]) : [outs as Sym];
  } else {
    ({ input, stages } = resnet(config.encoder, 'encoder', seeds));
  }
  const size = input.shape[1] as number;
  // Skips: the last stage output at each distinct resolution, deepest first.
  const bySize = new Map<number, Sym>();
  for (const s of stages) bySize.set(spatial(s), s);
  const levels = [...bySize.values()].sort((a, b) => spatial(a) - spatial(b));
  const widths = config.decoderWidths ?? levels.map((l) => l.shape[3] as number);
  let x = levels[0];
  const ratio = size / spatial(x);
  if (!Number.isInteger(Math.log2(ratio))) throw new Error(`segmenter: input size ${size} is not a power-of-two multiple of the encoder's deepest map (${spatial(x)})`);
  let level = 1;
  let current = spatial(x);
  for (let d = 0; current < size; d++) {
    const w = widths[Math.min(d + 1, widths.length - 1)];
    x = up2(x, w, config.decoder, `dec${d + 1}`, seeds);
    current *= 2;
    if (level < levels.length && spatial(levels[level]) === current) {
      x = tf.layers.concatenate({ name: `dec${d + 1}_skip` }).apply([x, levels[level]]) as Sym;
      level++;
    }
    x = convBnRelu(x, w, 3, 1, `dec${d + 1}_fuse`, seeds, true, config.encoder);
  }
  const logits = tf.layers.conv2d({ filters: config.numClasses, kernelSize: 1, kernelInitializer: seeds.glorot(), name: 'seg_logits' }).apply(x) as Sym;
  return { model: tf.model({ inputs: input, outputs: logits, name: 'unbox_segmenter' }), config };
}
