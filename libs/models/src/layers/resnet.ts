/**
 * ResNet backbones (He et al.; paper 3.4 uses ResNet-50) as tfjs-layers graphs: 18/34 with
 * BasicBlock, 50 with Bottleneck (expansion 4). Width multiplier scales every stage; the stem is
 * the ImageNet one (7×7/2 conv + 3×3/2 max-pool) or a small-input one (3×3/1, no pool).
 * `lastStride: 1` keeps stage 4 at stage 3's resolution (output stride 16 instead of 32; the
 * "last stride 1" of Luo et al. 2019): twice the feature map side, so the EDM's CAM (Eq. 3) is
 * 4×4 instead of 2×2 at 64 px, for about 1.75× the compute (stage 4 at 4× the positions).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Seeds } from './init.js';

export const ResNetConfigSchema = z.object({
  depth: z.union([z.literal(18), z.literal(34), z.literal(50)]).default(18),
  /** multiplies the stage widths 64/128/256/512 (0.25 → 16..128). */
  width: z.number().positive().default(0.25),
  inputSize: z.number().int().min(8).default(128),
  inputChannels: z.number().int().min(1).default(1),
  stem: z.enum(['imagenet', 'small']).default('imagenet'),
  /** stride of stage 4's first block: 2 (ResNet) or 1 (finer feature map and CAM; classifier only). */
  lastStride: z.union([z.literal(1), z.literal(2)]).default(2),
});
export type ResNetConfig = z.infer<typeof ResNetConfigSchema>;
export type ResNetConfigInput = z.input<typeof ResNetConfigSchema>;

const LAYOUTS: Record<18 | 34 | 50, { blocks: number[]; bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
};

type Sym = tf.SymbolicTensor;
const apply = (l: tf.layers.Layer, x: Sym | Sym[]) => l.apply(x) as Sym;

export function convBnRelu(x: Sym, filters: number, kernel: number, stride: number, name: string, seeds: Seeds, relu = true): Sym {
  let y = apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: seeds.he(), name: `${name}_conv` }), x);
  y = apply(tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }), y);
  return relu ? apply(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }), y) : y;
}

function basicBlock(x: Sym, filters: number, stride: number, name: string, seeds: Seeds): Sym {
  const inC = x.shape[x.shape.length - 1];
  let y = convBnRelu(x, filters, 3, stride, `${name}_a`, seeds);
  y = convBnRelu(y, filters, 3, 1, `${name}_b`, seeds, false);
  const skip = stride !== 1 || inC !== filters ? convBnRelu(x, filters, 1, stride, `${name}_proj`, seeds, false) : x;
  return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), apply(tf.layers.add({ name: `${name}_add` }), [y, skip]));
}

function bottleneck(x: Sym, filters: number, stride: number, name: string, seeds: Seeds): Sym {
  const inC = x.shape[x.shape.length - 1];
  const out = filters * 4;
  let y = convBnRelu(x, filters, 1, 1, `${name}_a`, seeds);
  y = convBnRelu(y, filters, 3, stride, `${name}_b`, seeds);
  y = convBnRelu(y, out, 1, 1, `${name}_c`, seeds, false);
  const skip = stride !== 1 || inC !== out ? convBnRelu(x, out, 1, stride, `${name}_proj`, seeds, false) : x;
  return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), apply(tf.layers.add({ name: `${name}_add` }), [y, skip]));
}

export interface ResNetFeatures {
  input: Sym;
  /** stem output then each stage's output, shallow to deep (the U-Net skips). */
  stages: Sym[];
  /** the deepest feature map F (Eq. 1–3). */
  features: Sym;
}

/** Builds the backbone graph on a fresh input; layer names are prefixed for stable checkpoints. */
export function resnet(cfg: ResNetConfigInput, prefix = 'backbone', seeds = new Seeds(undefined)): ResNetFeatures {
  const c = ResNetConfigSchema.parse(cfg);
  const layout = LAYOUTS[c.depth];
  const widths = [64, 128, 256, 512].map((w) => Math.max(1, Math.round(w * c.width)));
  const input = tf.input({ shape: [c.inputSize, c.inputSize, c.inputChannels], name: `${prefix}_input` });
  let x = c.stem === 'imagenet'
    ? convBnRelu(input, widths[0], 7, 2, `${prefix}_stem`, seeds)
    : convBnRelu(input, widths[0], 3, 1, `${prefix}_stem`, seeds);
  const stages: Sym[] = [x];
  if (c.stem === 'imagenet') x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${prefix}_pool` }), x);
  layout.blocks.forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      const stride = b === 0 && s > 0 ? (s === 3 ? c.lastStride : 2) : 1;
      const name = `${prefix}_s${s + 1}b${b + 1}`;
      x = layout.bottleneck ? bottleneck(x, widths[s], stride, name, seeds) : basicBlock(x, widths[s], stride, name, seeds);
    }
    stages.push(x);
  });
  return { input, stages, features: x };
}
