import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classScore, gradCam, maskedClassSum, spatialMeanScore, tapLayer } from './gradcam.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Input → 3×3 conv + ReLU (features F, K = 6) → EDM 1×1 conv (A_conv, C = 3) → spatial mean s_c. */
function edmModel(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 1] });
  const f = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'features', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 3, kernelSize: 1, useBias: false, name: 'edm', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(f) as tf.SymbolicTensor;
  const s = tf.layers.globalAveragePooling2d({}).apply(a) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: s });
}

describe('Grad-CAM', () => {
  it('reduces to the EDM CAM (ReLU(A_conv)/(H′W′)) for the EDM head', () => {
    const model = edmModel();
    const x = tf.randomNormal([1, 12, 12, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    for (const cls of [0, 2]) {
      const g = gradCam(tapLayer(model, 'features'), x, classScore(cls));
      const { activations } = tapLayer(model, 'edm')(x);
      const [, h, w] = activations.shape;
      const cam = activations.slice([0, 0, 0, cls], [1, h, w, 1]).dataSync();
      expect(g.cam.width).toBe(w);
      expect(g.cam.height).toBe(h);
      // α_k = W_kc / (H′W′): the raw Grad-CAM is A_conv / (H′W′) everywhere
      for (let i = 0; i < cam.length; i++) expect(g.raw.data[i]).toBeCloseTo(cam[i] / (h * w), 6);
      // normalised by the maximum both maps agree
      const maxG = Math.max(...g.cam.data);
      const maxC = Math.max(...Array.from(cam, (v) => Math.max(v, 0)));
      for (let i = 0; i < cam.length; i++) expect(g.cam.data[i] / maxG).toBeCloseTo(Math.max(cam[i], 0) / maxC, 5);
      expect(g.target).toBeCloseTo((model.predict(x) as tf.Tensor).dataSync()[cls], 5);
      activations.dispose();
    }
  });

  it('explains s_c taken from a multi-output model whose first output is A_conv itself', () => {
    const input = tf.input({ shape: [12, 12, 1] });
    const f = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'features', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(input) as tf.SymbolicTensor;
    const cam = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'edm', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(f) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(f) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [pooled, cam] });
    const x = tf.randomNormal([1, 12, 12, 1], 0, 1, 'float32', 8) as tf.Tensor4D;
    const g = gradCam(tapLayer(model, 'features', 1), x, spatialMeanScore(1));
    const a = (model.predict(x) as tf.Tensor[])[1];
    const [, h, w] = a.shape as number[];
    const ac = a.slice([0, 0, 0, 1], [1, h, w, 1]).dataSync();
    const bias = model.getLayer('edm').getWeights()[1].dataSync()[1];
    // the bias adds a constant: raw = (A_c − b_c)/(H′W′)
    for (let i = 0; i < ac.length; i++) expect(g.raw.data[i]).toBeCloseTo((ac[i] - bias) / (h * w), 6);
    expect(g.target).toBeCloseTo(Array.from(ac).reduce((s, v) => s + v, 0) / (h * w), 5);
    expect(() => tapLayer(model, 'features', 2)).toThrow(/no output 2/);
    // 'edm' does not feed output 0 (pooled features)
    expect(() => gradCam(tapLayer(model, 'edm', 0), x, classScore(0))).toThrow(/does not depend on the tapped activations/);
  });

  it('explains a segmenter output summed over a mask, through a skip connection', () => {
    // input → conv (enc, K = 4) ; concat(input, enc) → 1×1 conv head (C = 2): y = Σ mask·out_c
    const input = tf.input({ shape: [8, 8, 1] });
    const enc = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'enc', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(input) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate().apply([input, enc]) as tf.SymbolicTensor;
    const head = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) });
    const out = head.apply(cat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const mask = new Float32Array(64);
    for (let y = 2; y < 5; y++) for (let x = 3; x < 7; x++) mask[y * 8 + x] = 1; // 12 pixels
    const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const g = gradCam(tapLayer(model, 'enc'), x, maskedClassSum(1, mask));
    // ∂y/∂enc_k(i,j) = W[1 + k, 1]·mask(i,j) → α_k = W[1 + k, 1]·12/64
    const kernel = head.getWeights()[0].dataSync(); // [1,1,5,2]
    for (let k = 0; k < 4; k++) expect(g.weights[k]).toBeCloseTo((kernel[(1 + k) * 2 + 1] * 12) / 64, 6);
    const yRef = tf.tidy(() => (model.predict(x) as tf.Tensor).slice([0, 0, 0, 1], [1, 8, 8, 1]).reshape([64]).mul(tf.tensor1d(mask)).sum().dataSync()[0]);
    expect(g.target).toBeCloseTo(yRef, 5);
  });

  it('leaks no tensors and rejects bad targets', () => {
    const model = edmModel();
    const x = tf.zeros([1, 12, 12, 1]) as tf.Tensor4D;
    const tap = tapLayer(model, 'features');
    gradCam(tap, x, classScore(0));
    const before = tf.memory().numTensors;
    gradCam(tap, x, classScore(1));
    expect(tf.memory().numTensors).toBe(before);
    expect(() => gradCam(tap, x, classScore(5))).toThrow(/class 5 out of range/);
    expect(() => gradCam(tap, x, maskedClassSum(0, new Float32Array(4)))).toThrow(/expected output \[1, H, W, C\]/);
  });
});
