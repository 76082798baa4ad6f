/**
 * Class activation maps of the Explainable Diagnosis Module (paper section 3.2.1).
 * The EDM's 1×1 convolution output A_conv (H'×W'×C) *is* the CAM (Eq. 3), so the site reads it
 * from the forward pass; this file holds the maths around it: Eq. 1–3 on plain arrays (used to
 * check models against the paper) and the upsampling of one class's map to the input size.
 */
import { boxesFromCam, type BoxOptions, type CamBox } from './boxes.js';
import { resizeBilinear, type Image2D } from './image.js';

/**
 * Eq. 2–3: A_c(i,j) = Σ_k W(k,c) F_k(i,j) and s_c = mean_ij A_c(i,j).
 * `features` is H'×W'×K (NHWC without the batch axis), `weights` K×C row-major.
 */
export function camFromFeatures(
  features: Float32Array,
  h: number,
  w: number,
  k: number,
  weights: Float32Array,
  c: number,
  bias?: Float32Array,
): { cams: Float32Array; scores: Float64Array } {
  if (features.length !== h * w * k) throw new Error(`camFromFeatures: features has ${features.length} values, expected ${h}×${w}×${k}`);
  if (weights.length !== k * c) throw new Error(`camFromFeatures: weights has ${weights.length} values, expected ${k}×${c}`);
  if (bias && bias.length !== c) throw new Error(`camFromFeatures: bias has ${bias.length} values, expected ${c}`);
  const cams = new Float32Array(h * w * c);
  const scores = new Float64Array(c);
  for (let p = 0; p < h * w; p++)
    for (let cc = 0; cc < c; cc++) {
      let s = bias ? bias[cc] : 0;
      for (let kk = 0; kk < k; kk++) s += weights[kk * c + cc] * features[p * k + kk];
      cams[p * c + cc] = s;
      scores[cc] += s / (h * w);
    }
  return { cams, scores };
}

/** One class's map out of an H'×W'×C (channels-last) activation tensor. */
export function camChannel(cams: Float32Array, h: number, w: number, c: number, cls: number): Image2D {
  if (cams.length !== h * w * c) throw new Error(`camChannel: has ${cams.length} values, expected ${h}×${w}×${c}`);
  if (!(cls >= 0 && cls < c)) throw new Error(`camChannel: class ${cls} out of range 0..${c - 1}`);
  const data = new Float32Array(h * w);
  for (let p = 0; p < h * w; p++) data[p] = cams[p * c + cls];
  return { data, width: w, height: h };
}

/** Upsample a CAM to the input's size by bilinear interpolation (half-pixel centres). */
export function upsampleCam(cam: Image2D, width: number, height: number): Image2D {
  if (cam.data.length !== cam.width * cam.height) throw new Error(`upsampleCam: map has ${cam.data.length} values, expected ${cam.width}×${cam.height}`);
  return resizeBilinear(cam, width, height);
}

/**
 * The EDM explanation of one slice: class `cls`'s map out of A_conv (H'×W'×C, channels last),
 * upsampled to the input and boxed (boxes.ts: 0.2 × max, 8-connected, min area).
 */
export function edmCamAndBoxes(
  cams: Float32Array,
  h: number,
  w: number,
  c: number,
  cls: number,
  inputWidth: number,
  inputHeight: number,
  options: BoxOptions = {},
): { cam: Image2D; boxes: CamBox[] } {
  const cam = upsampleCam(camChannel(cams, h, w, c, cls), inputWidth, inputHeight);
  return { cam, boxes: boxesFromCam(cam, options) };
}
