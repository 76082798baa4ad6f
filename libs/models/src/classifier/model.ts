/**
 * The classifier graph (Fig. 8): backbone → dropout → EDM 1×1 conv whose output is the CAM
 * A_conv (Eq. 3), plus the NCM head φ → T (Eq. 9). Outputs, per slice:
 *   cam      [N, H', W', C]  A_conv
 *   pooled   [N, K]          spatial mean of the dropped-out features (COVNet max-pool mode)
 *   noise    [N, C·4]        T^c_ij laid out as [c][i][j], i = noisy label, j = true label
 * The class score s_c (Eq. 3) is the spatial mean of `cam` (see scores()).
 */
import * as tf from '@tensorflow/tfjs';
import { resnet } from '../layers/resnet.js';
import { Seeds } from '../layers/init.js';
import { StepDropout } from '../layers/step-dropout.js';
import { ClassifierConfigSchema, type ClassifierConfig, type ClassifierConfigInput } from './config.js';

type Sym = tf.SymbolicTensor;

export const EDM_LAYER = 'edm_conv';

/** `seed` makes the initial weights reproducible; `backbone` replaces the built ResNet with a loaded model. */
export function buildClassifier(cfgIn: ClassifierConfigInput, opts: { seed?: number; backbone?: tf.LayersModel } = {}): { model: tf.LayersModel; config: ClassifierConfig } {
  const config = ClassifierConfigSchema.parse(cfgIn);
  const seeds = new Seeds(opts.seed);
  const loadedBackbone = opts.backbone;
  let input: Sym;
  let features: Sym;
  if (loadedBackbone) {
    const shape = loadedBackbone.inputs[0].shape.slice(1) as number[];
    if (shape[0] !== config.backbone.inputSize || shape[2] !== config.backbone.inputChannels) {
      throw new Error(`loaded backbone takes ${shape.join('×')}, config says ${config.backbone.inputSize}² × ${config.backbone.inputChannels}`);
    }
    input = tf.input({ shape, name: 'classifier_input' });
    features = loadedBackbone.apply(input) as Sym;
  } else {
    ({ input, features } = resnet(config.backbone, 'backbone', seeds));
  }
  // masks drawn from (seed, step) (StepDropout): tfjs's Dropout gives unreproducible or frozen masks
  const dropped = new StepDropout({ rate: config.dropout, seed: opts.seed ?? 0, name: 'edm_dropout' }).apply(features) as Sym;
  const cam = tf.layers.conv2d({ filters: config.numClasses, kernelSize: 1, useBias: true, kernelInitializer: seeds.glorot(), name: EDM_LAYER }).apply(dropped) as Sym;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'edm_pool' }).apply(dropped) as Sym;
  // φ (Eq. 9): a small nonlinear conv transform of the backbone features, then T = wφ + b.
  let phi = tf.layers.conv2d({ filters: config.phiFilters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: seeds.he(), name: 'ncm_phi_conv' }).apply(features) as Sym;
  phi = tf.layers.globalAveragePooling2d({ name: 'ncm_phi_pool' }).apply(phi) as Sym;
  const noise = tf.layers.dense({ units: config.numClasses * 4, name: 'ncm_transition', kernelInitializer: 'zeros' }).apply(phi) as Sym;
  const model = tf.model({ inputs: input, outputs: [cam, pooled, noise], name: 'unbox_classifier' });
  // Start at a near-identity transition (T_ii = 2, so Q^c_ii ≈ 0.88): early training is the clean loss.
  const ncm = model.getLayer('ncm_transition');
  tf.tidy(() => ncm.setWeights([ncm.getWeights()[0], tf.tile(tf.tensor1d([2, 0, 0, 2]), [config.numClasses])]));
  return { model, config };
}

/** Eq. 3: s_c = mean over (i, j) of (A_conv)_c. */
export function scores(cam: tf.Tensor): tf.Tensor2D {
  return cam.mean([1, 2]) as tf.Tensor2D;
}

export interface ClassifierOutputs {
  cam: tf.Tensor4D;
  pooled: tf.Tensor2D;
  noise: tf.Tensor2D;
  scores: tf.Tensor2D;
}

export function runClassifier(model: tf.LayersModel, x: tf.Tensor4D, training: boolean): ClassifierOutputs {
  const [cam, pooled, noise] = model.apply(x, { training }) as tf.Tensor[];
  return { cam: cam as tf.Tensor4D, pooled: pooled as tf.Tensor2D, noise: noise as tf.Tensor2D, scores: scores(cam) };
}

/** Scores from pooled features through the EDM weights: equals Eq. 3 by linearity (used for max-pool). */
export function scoresFromPooled(model: tf.LayersModel, pooled: tf.Tensor2D): tf.Tensor2D {
  const [w, b] = model.getLayer(EDM_LAYER).trainableWeights.map((v) => v.read());
  const k = w.shape[2] as number;
  return tf.add(tf.matMul(pooled, w.reshape([k, -1])), b) as tf.Tensor2D;
}
