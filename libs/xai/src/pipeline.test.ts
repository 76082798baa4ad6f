/**
 * End to end on a synthetic lesion slice with a hand-built tfjs model that scores lesion-range
 * intensities (an EDM head over two threshold features): CAM → boxes hit the lesion, LIME and
 * Kernel SHAP rank a lesion superpixel first, the SHAP map beats its reverse on deletion and
 * insertion, Grad-CAM's maximum points at the lesion.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { boxesFromCam } from './boxes.js';
import { upsampleCam } from './cam.js';
import { classScore, gradCam, tapLayer } from './gradcam.js';
import type { Image2D } from './image.js';
import { kernelShapImage } from './kernel-shap.js';
import { limeImage } from './lime.js';
import type { BatchPredict } from './perturb.js';
import { boxScores, deletionInsertion, pointingGame, superpixelMap } from './quality.js';
import { Rng } from './rng.js';
import { slic, type Superpixels } from './slic.js';

const S = 64;

function slice(): { img: Image2D; lesion: Uint8Array } {
  const rng = new Rng(1);
  const data = new Float32Array(S * S);
  const lesion = new Uint8Array(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      let hu = -1000;
      if (((x - 32) / 29) ** 2 + ((y - 32) / 22) ** 2 < 1) hu = 40;
      for (const cx of [20, 44]) if (((x - cx) / 10) ** 2 + ((y - 31) / 15) ** 2 < 1) hu = -850;
      if ((x - 45) ** 2 + (y - 34) ** 2 < 49) {
        hu = -400;
        lesion[y * S + x] = 1;
      }
      data[y * S + x] = hu + 5 * rng.normal();
    }
  return { img: { data, width: S, height: S }, lesion };
}

/** features: relu(x + 0.6), relu(x + 0.2) on x = HU/1000; EDM 1×1 head: A = f1 − 2.7 f2; s = mean A. */
function lesionModel(): tf.LayersModel {
  const input = tf.input({ shape: [S, S, 1] });
  const features = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu', name: 'features', weights: [tf.tensor4d([1, 1], [1, 1, 1, 2]), tf.tensor1d([0.6, 0.2])] });
  const edm = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, name: 'edm', weights: [tf.tensor4d([1, -2.7], [1, 1, 2, 1])] });
  const f = features.apply(input) as tf.SymbolicTensor;
  const a = edm.apply(f) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({}).apply(a) as tf.SymbolicTensor });
}

function batchPredict(model: tf.LayersModel): BatchPredict {
  return async (batch) => {
    const buf = new Float32Array(batch.length * S * S);
    batch.forEach((b, i) => buf.set(b, i * S * S));
    const y = tf.tidy(() => (model.predict(tf.tensor4d(buf, [batch.length, S, S, 1]).div(1000)) as tf.Tensor).dataSync());
    return Float64Array.from(y);
  };
}

/** Fraction of a superpixel's pixels inside the lesion. */
function lesionShare(sp: Superpixels, lesion: Uint8Array, s: number): number {
  let inside = 0;
  let total = 0;
  for (let p = 0; p < lesion.length; p++)
    if (sp.labels[p] === s) {
      total++;
      inside += lesion[p];
    }
  return inside / total;
}

const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((b, x, i, a) => (x > a[b] ? i : b), 0);

describe('explanations of a lesion-scoring model', () => {
  const { img, lesion } = slice();
  let model: tf.LayersModel;
  let predict: BatchPredict;
  let sp: Superpixels;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = lesionModel();
    predict = batchPredict(model);
    sp = slic(img, { nSegments: 30 });
  });

  it('CAM boxes and the Grad-CAM maximum hit the lesion', () => {
    const x = tf.tensor4d(img.data, [1, S, S, 1]).div(1000) as tf.Tensor4D;
    const { activations } = tapLayer(model, 'edm')(x);
    const cam = upsampleCam({ data: activations.dataSync() as Float32Array, width: S, height: S }, S, S);
    const boxes = boxesFromCam(cam);
    const score = boxScores(boxes.map((b) => b.box), lesion, S, S);
    expect(score.recall).toBe(1);
    expect(score.precision).toBe(1);
    const g = gradCam(tapLayer(model, 'features'), x, classScore(0));
    expect(pointingGame(upsampleCam(g.cam, S, S).data, lesion, S).hit).toBe(true);
    tf.dispose([x, activations]);
  });

  it('LIME and Kernel SHAP rank a lesion superpixel first; SHAP beats its reverse on deletion/insertion', async () => {
    const fill = { value: -1000 };
    const lime = await limeImage(img, sp, predict, { fill, seed: 2 });
    expect(lesionShare(sp, lesion, argmax(lime.weights))).toBeGreaterThan(0.5);
    const shap = await kernelShapImage(img, sp, predict, { fill, seed: 2 });
    expect(lesionShare(sp, lesion, argmax(shap.values))).toBeGreaterThan(0.5);
    expect(Math.abs(shap.values.reduce((a, b) => a + b, 0) - (shap.fx - shap.baseValue))).toBeLessThan(1e-6);
    const map = superpixelMap(shap.values, sp);
    const good = await deletionInsertion(img, map, predict, { deletionBaseline: fill, insertionBaseline: fill });
    const bad = await deletionInsertion(img, map.map((v) => -v), predict, { deletionBaseline: fill, insertionBaseline: fill });
    expect(good.deletion.auc).toBeLessThan(bad.deletion.auc);
    expect(good.insertion.auc).toBeGreaterThan(bad.insertion.auc);
  });
});
