/**
 * "benchnet", the training-speed yardstick of the engine issue (kept exactly as specified there
 * and as its PyTorch twin shared/bench/torch_benchnet.py): ResNet-18 layout, BasicBlocks
 * [2, 2, 2, 2], widths [16, 32, 64, 128], stage strides [1, 2, 2, 2]; 3×3 stem conv stride 2, no
 * max-pool; batch norm + ReLU; 1×1 conv + batch norm projection where the shape changes; head 1×1
 * conv to 2 classes, global average pooling, softmax cross-entropy; input 128×128×1, batch 32,
 * float32, Adam lr 1e-3.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormalization } from './batchnorm.js';

export const BENCHNET: { widths: readonly number[]; blocks: readonly number[]; strides: readonly number[]; input: number; channels: number; classes: number; batch: number; lr: number } = { widths: [16, 32, 64, 128], blocks: [2, 2, 2, 2], strides: [1, 2, 2, 2], input: 128, channels: 1, classes: 2, batch: 32, lr: 1e-3 } as const;

/** 'fused': the engine's one-op batch norm layer; 'layers': tf.layers.batchNormalization. */
export type BatchNormKind = 'fused' | 'layers';

type Sym = tf.SymbolicTensor;

export function benchnet(bn: BatchNormKind = 'fused'): tf.LayersModel {
  const norm = (name: string) => bn === 'fused'
    ? fusedBatchNormalization({ momentum: 0.9, epsilon: 1e-5, name })
    : tf.layers.batchNormalization({ axis: -1, momentum: 0.9, epsilon: 1e-5, name });
  const conv = (x: Sym, filters: number, kernel: number, stride: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: 'heNormal', name }).apply(x) as Sym;
  const bnAct = (x: Sym, name: string, relu: boolean) => {
    const y = norm(`${name}_bn`).apply(x) as Sym;
    return relu ? (tf.layers.reLU({ name: `${name}_relu` }).apply(y) as Sym) : y;
  };
  const input = tf.input({ shape: [BENCHNET.input, BENCHNET.input, BENCHNET.channels], name: 'input' });
  let x = bnAct(conv(input, BENCHNET.widths[0], 3, 2, 'stem_conv'), 'stem', true);
  let inC = BENCHNET.widths[0];
  BENCHNET.widths.forEach((w, s) => {
    for (let b = 0; b < BENCHNET.blocks[s]; b++) {
      const stride = b === 0 ? BENCHNET.strides[s] : 1;
      const name = `s${s + 1}b${b + 1}`;
      let y = bnAct(conv(x, w, 3, stride, `${name}_c1`), `${name}_1`, true);
      y = bnAct(conv(y, w, 3, 1, `${name}_c2`), `${name}_2`, false);
      const skip = stride !== 1 || inC !== w ? bnAct(conv(x, w, 1, stride, `${name}_proj`), `${name}_proj`, false) : x;
      x = tf.layers.reLU({ name: `${name}_out` }).apply(tf.layers.add({ name: `${name}_add` }).apply([y, skip]) as Sym) as Sym;
      inC = w;
    }
  });
  const logits = tf.layers.conv2d({ filters: BENCHNET.classes, kernelSize: 1, useBias: true, name: 'head' }).apply(x) as Sym;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(logits) as Sym;
  return tf.model({ inputs: input, outputs: pooled, name: 'benchnet' });
}

/** One Adam step on (x, one-hot y); returns the loss before the update. */
export function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, x: tf.Tensor4D, yOneHot: tf.Tensor2D): number {
  const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yOneHot, model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar, true);
  const v = loss!.dataSync()[0];
  loss!.dispose();
  return v;
}
