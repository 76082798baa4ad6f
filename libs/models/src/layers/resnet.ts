/**
 * ResNet backbones (He et al.; paper 3.4 uses ResNet-50) as tfjs-layers graphs: 18/34 with
 * BasicBlock, 50 with Bottleneck (expansion 4). Width multiplier scales every stage; the stem is
 * the ImageNet one (7×7/2 conv + 3×3/2 max-pool) or a small-input one (3×3/1, no pool).
 * `outputStride` 16 keeps stage 4 at stage 3's resolution (the "last stride 1" of Luo et al. 2019),
 * 8 also stage 3 at stage 2's (DeepLab's output stride 8): the EDM's CAM (Eq. 3) is 4×4 or 8×8
 * instead of 2×2 at 64 px, for about 1.75× or 4–5× the compute (the late stages run at 4× or 16×
 * the positions) and the same weights. `lastStride: 1` is the older spelling of outputStride 16.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Seeds } from './init.js';
import { DEFAULT_GROUPS, GroupNormalization } from './group-norm.js';
import { InputStandardisation } from './input-standardisation.js';

export const ResNetConfigSchema = z.object({
  depth: z.union([z.literal(18), z.literal(34), z.literal(50)]).default(18),
  /** multiplies the stage widths 64/128/256/512 (0.25 → 16..128). */
  width: z.number().positive().default(0.25),
  inputSize: z.number().int().min(8).default(128),
  inputChannels: z.number().int().min(1).default(1),
  stem: z.enum(['imagenet', 'small']).default('imagenet'),
  /** input side / feature map side: 32 (ResNet), 16 or 8 (finer feature map and CAM; classifier only). */
  outputStride: z.union([z.literal(8), z.literal(16), z.literal(32)]).optional(),
  /**
   * 'batch' (ResNet's batch norm) or 'group' (Wu & He's group norm: no batch statistics, so a
   * federated site's one-centre batches train what every centre is evaluated with; its layers name
   * its tensors `<conv>_gn/gamma|beta`).
   */
  norm: z.enum(['batch', 'group']).default('batch'),
  /** 'slice': each input image standardised by its own mean and standard deviation first (input-standardisation.ts) */
  inputNorm: z.enum(['none', 'slice']).default('none'),
  /** group norm's group count (Wu & He: 32), fewer where a layer has few channels (group-norm.ts groupsFor) */
  groups: z.number().int().min(1).default(DEFAULT_GROUPS),
  /** older spelling (run configs of 2026-11): stage 4's first stride; 1 means outputStride 16. */
  lastStride: z.union([z.literal(1), z.literal(2)]).optional(),
}).refine((c) => c.lastStride === undefined || c.outputStride === undefined || c.outputStride === (c.lastStride === 1 ? 16 : 32), {
  message: 'lastStride is the older spelling of outputStride (1 = 16, 2 = 32): give one of them, or both agreeing', path: ['lastStride'],
});
export type ResNetConfig = z.infer<typeof ResNetConfigSchema>;
export type ResNetConfigInput = z.input<typeof ResNetConfigSchema>;

const LAYOUTS: Record<18 | 34 | 50, { blocks: number[]; bottleneck: boolean }> = {
  18: { blocks: [2, 2, 2, 2], bottleneck: false },
  34: { blocks: [3, 4, 6, 3], bottleneck: false },
  50: { blocks: [3, 4, 6, 3], bottleneck: true },
};

/** The backbone's output stride, from either spelling. */
export function outputStrideOf(c: Pick<ResNetConfig, 'outputStride' | 'lastStride'>): 8 | 16 | 32 {
  return c.outputStride ?? (c.lastStride === 1 ? 16 : 32);
}

type Sym = tf.SymbolicTensor;
const apply = (l: tf.layers.Layer, x: Sym | Sym[]) => l.apply(x) as Sym;

/** Which normalisation follows each convolution. */
export type NormSpec = Pick<ResNetConfig, 'norm' | 'groups'>;
const BATCH_NORM: NormSpec = { norm: 'batch', groups: DEFAULT_GROUPS };

export function convBnRelu(x: Sym, filters: number, kernel: number, stride: number, name: string, seeds: Seeds, relu = true, norm: NormSpec = BATCH_NORM): Sym {
  let y = apply(tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: seeds.he(), name: `${name}_conv` }), x);
  y = norm.norm === 'group'
    ? apply(new GroupNormalization({ groups: norm.groups, epsilon: 1e-5, name: `${name}_gn` }), y)
    : apply(tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name: `${name}_bn` }), y);
  return relu ? apply(tf.layers.activation({ activation: 'relu', name: `${name}_relu` }), y) : y;
}

function basicBlock(x: Sym, filters: number, stride: number, name: string, seeds: Seeds, norm: NormSpec): Sym {
  const inC = x.shape[x.shape.length - 1];
  let y = convBnRelu(x, filters, 3, stride, `${name}_a`, seeds, true, norm);
  y = convBnRelu(y, filters, 3, 1, `${name}_b`, seeds, false, norm);
  const skip = stride !== 1 || inC !== filters ? convBnRelu(x, filters, 1, stride, `${name}_proj`, seeds, false, norm) : x;
  return apply(tf.layers.activation({ activation: 'relu', name: `${name}_out` }), apply(tf.layers.add({ name: `${name}_add` }), [y, skip]));
}

function bottleneck(x: Sym, filters: number, stride: number, name: string, seeds: Seeds, norm: NormSpec): Sym {
  const inC = x.shape[x.shape.length - 1];
  const out = filters * 4;
  let y = convBnRelu(x, filters, 1, 1, `${name}_a`, seeds, true, norm);
  y = convBnRelu(y, filters, 3, stride, `${name}_b`, seeds, true, norm);
  y = convBnRelu(y, out, 1, 1, `${name}_c`, seeds, false, norm);
  const skip = stride !== 1 || inC !== out ? convBnRelu(x, out, 1, stride, `${name}_proj`, seeds, false, norm) : x;
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
  const stemInput = c.inputNorm === 'slice' ? apply(new InputStandardisation({ name: `${prefix}_input_std` }), input) : input;
  let x = c.stem === 'imagenet'
    ? convBnRelu(stemInput, widths[0], 7, 2, `${prefix}_stem`, seeds, true, c)
    : convBnRelu(stemInput, widths[0], 3, 1, `${prefix}_stem`, seeds, true, c);
  const stages: Sym[] = [x];
  if (c.stem === 'imagenet') x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: `${prefix}_pool` }), x);
  // stages 3 and 4 keep their input's resolution once the output stride is reached
  const os = outputStrideOf(c);
  const firstStride = [1, 2, os >= 16 ? 2 : 1, os === 32 ? 2 : 1];
  layout.blocks.forEach((n, s) => {
    for (let b = 0; b < n; b++) {
      const stride = b === 0 ? firstStride[s] : 1;
      const name = `${prefix}_s${s + 1}b${b + 1}`;
      x = layout.bottleneck ? bottleneck(x, widths[s], stride, name, seeds, c) : basicBlock(x, widths[s], stride, name, seeds, c);
    }
    stages.push(x);
  });
  return { input, stages, features: x };
}
