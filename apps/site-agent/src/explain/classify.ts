/**
 * One patient's classifier explanation (paper 3.2.1, 4.1.4): every slice through the network once
 * (the EDM's A_conv is the CAM, Eq. 3, no extra pass), the patient probability and the SIM section
 * logits z_i (Eq. 4–6: which part of the scan drove the score), and for the chosen slices the
 * upsampled CAM with its boxes, LIME and Kernel SHAP over SLIC superpixels. The perturbation
 * methods explain the slice logit s_c of the positive class (Eq. 3), the quantity SIM integrates,
 * so SHAP's base_value + Σ values = fx holds in logit units. No file I/O here: the caller writes
 * the returned JSON and PNG bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeGrayPng, type CropBox } from '@unbox/data';
import { labelVector, patientProbabilities, runClassifier, sectionLogits, sections, EDM_LAYER, type ClassifierConfig, type ClassifierOutputs } from '@unbox/models';
import {
  boxScores, edmCamAndBoxes, kernelShapImage, limeImage, pointingChance, pointingGame, slic, superpixelMap,
  type BatchPredict, type FillMode, type Image2D, type Superpixels,
} from '@unbox/xai';
import { toChannels } from '../training/channels.js';
import { drawBox, drawLabelBorders, encodeRgbPng, greyToRgb, heatOverlay, signedOverlay } from './png.js';
import type { ClassifySliceJson, ExplainParams, QualityJson } from '@unbox/protocol';

/** One patient's preprocessed slices, grey [0, 1] (the classification pipeline, evaluation mode). */
export interface PatientScan {
  id: string;
  centre: string;
  /** slices × size × size, single channel */
  grey: Float32Array;
  slices: number;
  size: number;
  /** with the lung crop: each scan's box (native pixels) the model's view was cut from, in scan order */
  rois?: CropBox[];
  /** optional lesion masks on the same grid (synthetic consortium ground truth), for quality figures */
  lesions?: Uint8Array;
}

export interface ClassifyExplanation {
  probability: number;
  sections: { slices: [number, number]; logit: number; probability: number }[];
  slice_scores: number[];
  /** H′×W′ of A_conv: the CAM's native resolution before upsampling (input / backbone stride) */
  cam_grid: [number, number];
  slices: ClassifySliceJson[];
  quality?: QualityJson;
  /** PNG file name → bytes */
  pngs: Map<string, Uint8Array>;
}

/** The slices explained: the `top` highest positive-class scores (by score, then index), all, or a list. */
export function chooseSlices(scores: ArrayLike<number>, which: ExplainParams['slices'], top: number): number[] {
  const n = scores.length;
  if (which === 'all') return Array.from({ length: n }, (_, i) => i);
  if (which === 'top') {
    return Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, Math.max(1, top)).sort((a, b) => a - b);
  }
  for (const i of which) if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new RangeError(`slice ${i} is outside 0..${n - 1} (the patient has ${n} slices)`);
  return [...new Set(which)].sort((a, b) => a - b);
}

/** The model as LIME/SHAP see it: grey slices in, positive-class slice logits s_c (Eq. 3) out, batched. */
export function sliceLogitPredict(model: tf.LayersModel, cfg: ClassifierConfig): BatchPredict {
  const size = cfg.backbone.inputSize;
  const ch = cfg.backbone.inputChannels;
  const pos = cfg.numClasses - 1;
  return async (batch) => {
    const flat = new Float32Array(batch.length * size * size * ch);
    batch.forEach((g, i) => flat.set(toChannels(g, ch), i * size * size * ch));
    const s = tf.tidy(() => runClassifier(model, tf.tensor4d(flat, [batch.length, size, size, ch]), false).scores.slice([0, pos], [-1, 1]).reshape([-1]));
    const out = (await s.data()) as Float32Array;
    s.dispose();
    return out;
  };
}

const pad3 = (i: number) => String(i).padStart(3, '0');

/**
 * Do LIME/SHAP rank lesion superpixels first? A superpixel counts as lesion when it holds any
 * lesion pixel (phantom lesions can be smaller than a superpixel); `chance` is the probability
 * that a random superpixel is one, the level `top_is_lesion` is compared with.
 */
export function lesionRanking(values: ArrayLike<number>, sp: Superpixels, mask: ArrayLike<number>): { top_is_lesion: boolean; lesion_superpixels: number; chance: number; rank_auc: number | null } {
  if (values.length !== sp.count) throw new Error(`lesionRanking: ${values.length} values for ${sp.count} superpixels`);
  const lesion = new Array<boolean>(sp.count).fill(false);
  for (let p = 0; p < sp.labels.length; p++) if (mask[p]) lesion[sp.labels[p]] = true;
  let top = 0;
  for (let s = 1; s < sp.count; s++) if (values[s] > values[top]) top = s;
  const pos = [...lesion.keys()].filter((s) => lesion[s]);
  const neg = [...lesion.keys()].filter((s) => !lesion[s]);
  // Mann–Whitney AUC: probability that a lesion superpixel outranks a non-lesion one (ties ½).
  let auc: number | null = null;
  if (pos.length && neg.length) {
    let u = 0;
    for (const a of pos) for (const b of neg) u += values[a] > values[b] ? 1 : values[a] === values[b] ? 0.5 : 0;
    auc = u / (pos.length * neg.length);
  }
  return { top_is_lesion: lesion[top], lesion_superpixels: pos.length, chance: pos.length / sp.count, rank_auc: auc };
}

/** Pointing-game tolerance: Zhang et al.'s 15 px at 224 px, scaled to the input size. */
export const pointingTolerance = (size: number): number => (15 * size) / 224;

/** b_c of the EDM 1×1 convolution (zeros when it has none). */
export function edmBias(model: tf.LayersModel, classes: number): Float32Array {
  const w = model.getLayer(EDM_LAYER).getWeights();
  return w.length > 1 ? Float32Array.from(w[1].dataSync()) : new Float32Array(classes);
}

/**
 * Zhou et al.'s CAM M_c = Σ_k w_kc F_k is A_conv (Eq. 3) without the bias b_c. The bias shifts
 * every pixel alike, so it moves no maximum, but it would move the 0.2 × max box threshold: a
 * large positive b_c boxes the whole slice. Channels last, H'×W'×C.
 */
export function withoutBias(cams: Float32Array, bias: Float32Array): Float32Array {
  const c = bias.length;
  return cams.map((v, i) => v - bias[i % c]);
}

/** A scan through the network once: A_conv of every slice (chunks of 32), slice scores, patient probability, SIM section logits. */
export interface ScanForward {
  camParts: Float32Array[];
  camShape: [number, number, number];
  chunk: number;
  probability: number;
  sections: ClassifyExplanation['sections'];
  sliceScores: number[];
}

export async function forwardScan(model: tf.LayersModel, cfg: ClassifierConfig, scan: PatientScan): Promise<ScanForward> {
  const size = cfg.backbone.inputSize;
  const ch = cfg.backbone.inputChannels;
  if (scan.size !== size) throw new Error(`patient ${scan.id}: slices are ${scan.size} px, the model takes ${size} px`);
  const pos = cfg.numClasses - 1;
  const per = size * size;
  // One forward pass per chunk of slices: A_conv (the CAM) and the scores s_c.
  const camParts: Float32Array[] = [];
  const scoreParts: tf.Tensor2D[] = [];
  const pooledParts: tf.Tensor2D[] = [];
  let camShape: [number, number, number] = [0, 0, 0];
  const chunk = 32;
  for (let s = 0; s < scan.slices; s += chunk) {
    const n = Math.min(chunk, scan.slices - s);
    const out = tf.tidy(() => ({ ...runClassifier(model, tf.tensor4d(toChannels(scan.grey.subarray(s * per, (s + n) * per), ch), [n, size, size, ch]), false) })) as ClassifierOutputs;
    camShape = [out.cam.shape[1], out.cam.shape[2], out.cam.shape[3]];
    camParts.push((await out.cam.data()) as Float32Array);
    scoreParts.push(out.scores);
    pooledParts.push(out.pooled);
    out.cam.dispose();
    out.noise.dispose();
  }
  const { probability, sectionZ, sliceScores } = tf.tidy(() => {
    const scores = tf.concat(scoreParts) as tf.Tensor2D;
    const pooled = tf.concat(pooledParts) as tf.Tensor2D;
    const p = patientProbabilities(model, { scores, pooled }, [{ start: 0, count: scan.slices, label: labelVector(0, cfg.numClasses) }], cfg)[0][pos];
    return {
      probability: p,
      sectionZ: (sectionLogits(scores, cfg.sectionLength, cfg.k).arraySync() as number[][]).map((r) => r[pos]),
      sliceScores: Array.from(scores.slice([0, pos], [-1, 1]).dataSync()),
    };
  });
  tf.dispose([...scoreParts, ...pooledParts]);
  const secs: ClassifyExplanation['sections'] = sections(scan.slices, cfg.sectionLength).map((s, i) => ({
    slices: [s.start, s.end - 1] as [number, number], logit: sectionZ[i], probability: 1 / (1 + Math.exp(-sectionZ[i])),
  }));

  return { camParts, camShape, chunk, probability, sections: secs, sliceScores };
}

export async function explainClassifier(
  model: tf.LayersModel,
  cfg: ClassifierConfig,
  scan: PatientScan,
  params: ExplainParams,
  onProgress?: (done: number, total: number, what: string) => void,
): Promise<ClassifyExplanation> {
  const size = cfg.backbone.inputSize;
  const per = size * size;
  const pos = cfg.numClasses - 1;
  const { camParts, camShape, chunk, probability, sections: secs, sliceScores } = await forwardScan(model, cfg, scan);
  const chosen = chooseSlices(sliceScores, params.slices, params.top);
  const predict = sliceLogitPredict(model, cfg);
  const [h, w, c] = camShape;
  const bias = edmBias(model, c);
  const camPer = h * w * c;
  const pngs = new Map<string, Uint8Array>();
  const slices: ClassifySliceJson[] = [];
  const q = { cam: [] as boolean[], camChance: [] as number[], shapTop: [] as boolean[], limeTop: [] as boolean[], shapAuc: [] as number[], limeAuc: [] as number[], boxIou: [] as number[], rankChance: [] as number[] };
  let done = 0;
  for (const i of chosen) {
    onProgress?.(done, chosen.length, `slice ${i}`);
    const grey = scan.grey.slice(i * per, (i + 1) * per);
    const img: Image2D = { data: grey, width: size, height: size };
    const camAll = camParts[Math.floor(i / chunk)].subarray((i % chunk) * camPer, (i % chunk + 1) * camPer);
    const { cam, boxes } = edmCamAndBoxes(withoutBias(camAll, bias), h, w, c, pos, size, size, { minArea: params.boxMinArea });
    const base = greyToRgb(grey, size, size);
    const camImg = heatOverlay(base, cam.data);
    for (const b of boxes) drawBox(camImg, b.box);
    const camPng = `cam_${pad3(i)}.png`;
    pngs.set(camPng, encodeRgbPng(camImg));

    const sp = slic(img, { nSegments: params.segments });
    const segPng = `segments_${pad3(i)}.png`;
    if (sp.count <= 256) pngs.set(segPng, encodeGrayPng(Uint8Array.from(sp.labels), size, size));
    const lime = await limeImage(img, sp, predict, { numSamples: params.limeSamples, fill: params.fill, seed: params.seed, batchSize: params.batchSize });
    const shap = await kernelShapImage(img, sp, predict, { nsamples: params.shapSamples ?? undefined, fill: params.fill, seed: params.seed, batchSize: params.batchSize });
    const limePng = `lime_${pad3(i)}.png`;
    const shapPng = `shap_${pad3(i)}.png`;
    const limeImgRgb = signedOverlay(base, superpixelMap(lime.weights, sp));
    drawLabelBorders(limeImgRgb, sp.labels, [200, 200, 0]);
    pngs.set(limePng, encodeRgbPng(limeImgRgb));
    const shapImgRgb = signedOverlay(base, superpixelMap(shap.values, sp));
    drawLabelBorders(shapImgRgb, sp.labels, [200, 200, 0]);
    pngs.set(shapPng, encodeRgbPng(shapImgRgb));

    const entry: ClassifySliceJson = {
      index: i, score: sliceScores[i], probability: 1 / (1 + Math.exp(-sliceScores[i])), cam_png: camPng,
      boxes: boxes.map((b) => b.box), box_areas: boxes.map((b) => b.area), box_peaks: boxes.map((b) => b.peak),
      superpixels: { count: sp.count, ...(pngs.has(segPng) ? { png: segPng } : {}) },
      lime: { png: limePng, weights: Array.from(lime.weights), intercept: lime.intercept, score: lime.score, local_pred: lime.localPred, fx: lime.fx, num_samples: lime.numSamples },
      shap: { png: shapPng, values: Array.from(shap.values), base_value: shap.baseValue, fx: shap.fx, nsamples: shap.nsamples, exact: shap.exact },
    };
    const mask = scan.lesions?.subarray(i * per, (i + 1) * per);
    if (mask && mask.some((v) => v)) {
      const tol = pointingTolerance(size);
      const camHit = pointingGame(cam.data, mask, size, tol).hit;
      const chance = pointingChance(mask, size, tol);
      const exact = pointingGame(cam.data, mask, size);
      const camHitExact = exact.hit;
      const lr = lesionRanking(lime.weights, sp, mask);
      const sr = lesionRanking(shap.values, sp, mask);
      const bs = boxScores(boxes.map((b) => b.box), mask, size, size);
      entry.lesion = { cam_pointing_hit: camHit, pointing_chance: chance, pointing_tolerance: tol, cam_pointing_hit_exact: camHitExact, cam_peak: exact.point, pointing_chance_exact: pointingChance(mask, size), box_mean_iou: bs.meanIou, lime: lr, shap: sr };
      q.cam.push(camHit);
      q.camChance.push(chance);
      q.limeTop.push(lr.top_is_lesion);
      q.rankChance.push(sr.chance);
      q.shapTop.push(sr.top_is_lesion);
      q.boxIou.push(bs.meanIou);
      if (lr.rank_auc !== null) q.limeAuc.push(lr.rank_auc);
      if (sr.rank_auc !== null) q.shapAuc.push(sr.rank_auc);
    }
    slices.push(entry);
    onProgress?.(++done, chosen.length, `slice ${i}`);
  }
  const mean = (xs: (number | boolean)[]) => (xs.length ? xs.reduce((a: number, b) => a + Number(b), 0) / xs.length : null);
  const quality: QualityJson | undefined = q.cam.length
    ? {
        lesion_slices: q.cam.length, cam_pointing_game: mean(q.cam), pointing_chance: mean(q.camChance), cam_box_mean_iou: mean(q.boxIou),
        lime_top_is_lesion: mean(q.limeTop), shap_top_is_lesion: mean(q.shapTop), top_is_lesion_chance: mean(q.rankChance), lime_rank_auc: mean(q.limeAuc), shap_rank_auc: mean(q.shapAuc),
      }
    : undefined;
  return { probability, sections: secs, slice_scores: sliceScores, cam_grid: [h, w], slices, pngs, ...(quality ? { quality } : {}) };
}

/** Fill of hidden superpixels: 'air' is −1000 HU through the classifier's lung window, a constant that hides a uniform lesion (a mean fill would not). */
export function fillFor(name: string, airValue: number): FillMode {
  if (name === 'air') return { value: airValue };
  if (name === 'mean' || name === 'blur' || name === 'zero') return name;
  throw new Error(`unknown fill "${name}" (air | blur | mean | zero)`);
}
