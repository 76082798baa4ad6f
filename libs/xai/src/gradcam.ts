/**
 * Grad-CAM (Selvaraju et al., ICCV 2017) for any convolutional layer of any tfjs model:
 * α_k = mean_ij ∂y/∂A_k(i,j), map = ReLU(Σ_k α_k A_k). The model is seen through a "tapped"
 * function that returns the chosen layer's activations together with the model output from one
 * forward pass, so the same code serves the classifier (y = a class score) and the segmenter
 * (y = the sum of a class's output over a mask). For the EDM head (1×1 conv, then spatial mean)
 * Grad-CAM equals ReLU(A_conv)/(H'W'), i.e. the CAM up to normalisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { Image2D } from './image.js';

/** One forward pass returning a conv layer's activations (1×H'×W'×K) and the model output. */
export type TappedModel = (input: tf.Tensor4D) => { activations: tf.Tensor4D; output: tf.Tensor };

/** Maps the model output to the scalar being explained. */
export type GradCamTarget = (output: tf.Tensor) => tf.Scalar;

export interface GradCamResult {
  /** ReLU(Σ_k α_k A_k) at the layer's resolution (H'×W'). */
  cam: Image2D;
  /** Σ_k α_k A_k before the ReLU. */
  raw: Image2D;
  /** α_k, one per channel. */
  weights: Float32Array;
  /** The target's value y. */
  target: number;
}

/** Target: the score of class `cls` of a [1, C] output (a logit or s_c of Eq. 3). */
export function classScore(cls: number): GradCamTarget {
  return (output) => {
    if (output.rank !== 2 || output.shape[0] !== 1) throw new Error(`classScore: expected output [1, C], got [${output.shape.join(', ')}]`);
    if (!(cls >= 0 && cls < output.shape[1]!)) throw new Error(`classScore: class ${cls} out of range 0..${output.shape[1]! - 1}`);
    return output.slice([0, cls], [1, 1]).sum() as tf.Scalar;
  };
}

/**
 * Target for a model whose output is the EDM map A_conv [1, H', W', C] itself (the Unbox
 * classifier's first output): s_c = mean_ij A_conv(i, j, c), Eq. 3.
 */
export function spatialMeanScore(cls: number): GradCamTarget {
  return (output) => {
    if (output.rank !== 4 || output.shape[0] !== 1) throw new Error(`spatialMeanScore: expected output [1, H, W, C], got [${output.shape.join(', ')}]`);
    const [, h, w, c] = output.shape as [number, number, number, number];
    if (!(cls >= 0 && cls < c)) throw new Error(`spatialMeanScore: class ${cls} out of range 0..${c - 1}`);
    return output.slice([0, 0, 0, cls], [1, h, w, 1]).mean() as tf.Scalar;
  };
}

/**
 * Target for a segmenter: Σ_ij mask(i,j) · output(i,j,cls) over a [1, H, W, C] output; `mask`
 * is H×W (binary or soft weights), e.g. the predicted region of one ventricle.
 */
export function maskedClassSum(cls: number, mask: Float32Array): GradCamTarget {
  return (output) => {
    if (output.rank !== 4 || output.shape[0] !== 1) throw new Error(`maskedClassSum: expected output [1, H, W, C], got [${output.shape.join(', ')}]`);
    const [, h, w, c] = output.shape as [number, number, number, number];
    if (mask.length !== h * w) throw new Error(`maskedClassSum: mask has ${mask.length} values, output is ${h}×${w}`);
    if (!(cls >= 0 && cls < c)) throw new Error(`maskedClassSum: class ${cls} out of range 0..${c - 1}`);
    const m = tf.tensor4d(mask, [1, h, w, 1]);
    return output.slice([0, 0, 0, cls], [1, h, w, 1]).mul(m).sum() as tf.Scalar;
  };
}

/**
 * A tapped view of a tfjs LayersModel: one execution of a functional sub-model whose outputs are
 * the named layer's output and the model's output number `outputIndex` (default 0), so the
 * activations are the very tensor the output was computed from (skip connections included).
 * The layer must belong to `model` itself (not to a nested model used as one layer).
 */
export function tapLayer(model: tf.LayersModel, layerName: string, outputIndex = 0): TappedModel {
  const layer = model.getLayer(layerName);
  const out = model.outputs[outputIndex];
  if (!out) throw new Error(`tapLayer: model has ${model.outputs.length} outputs, no output ${outputIndex}`);
  const tapped = tf.model({ inputs: model.inputs, outputs: [layer.output as tf.SymbolicTensor, out] });
  return (input) => {
    const [activations, output] = tapped.apply(input, { training: false }) as tf.Tensor[];
    if (activations.rank !== 4) throw new Error(`tapLayer: layer '${layerName}' output has rank ${activations.rank}, Grad-CAM needs a conv layer (rank 4)`);
    return { activations: activations as tf.Tensor4D, output };
  };
}

/** Grad-CAM of `target` with respect to the tapped layer, for one input [1, H, W, C]. */
export function gradCam(model: TappedModel, input: tf.Tensor4D, target: GradCamTarget): GradCamResult {
  if (input.shape[0] !== 1) throw new Error(`gradCam: explain one input at a time (batch ${input.shape[0]})`);
  // engine.gradients reads `xs` only after running f, so the activations created inside f can
  // be the variable we differentiate by: no second pass and no split of the model.
  const xs: tf.Tensor[] = [input];
  let acts: tf.Tensor4D | null = null;
  let result: { value: tf.Tensor; grads: tf.Tensor[] };
  try {
    result = tf.engine().gradients(() => {
      const { activations, output } = model(input);
      xs[0] = activations;
      acts = tf.keep(activations.clone());
      return target(output);
    }, xs);
  } catch (e) {
    if (acts) tf.dispose(acts);
    if (e instanceof Error && /Cannot compute gradient/.test(e.message))
      throw new Error('gradCam: the target does not depend on the tapped activations (is the layer upstream of the chosen output?)');
    throw e;
  }
  const { value, grads } = result;
  try {
    if (!acts) throw new Error('gradCam: model produced no activations');
    const a = acts as tf.Tensor4D;
    const [, h, w, k] = a.shape;
    const g = grads[0];
    const weights = tf.tidy(() => g.mean([0, 1, 2]));
    const rawT = tf.tidy(() => a.mul(weights.reshape([1, 1, 1, k])).sum(3));
    const raw = rawT.dataSync() as Float32Array;
    const cam = Float32Array.from(raw, (v) => Math.max(0, v));
    const alpha = weights.dataSync() as Float32Array;
    const y = value.dataSync()[0];
    tf.dispose([weights, rawT]);
    return { cam: { data: cam, width: w, height: h }, raw: { data: Float32Array.from(raw), width: w, height: h }, weights: Float32Array.from(alpha), target: y };
  } finally {
    tf.dispose([value, ...grads]);
    if (acts) tf.dispose(acts);
  }
}
