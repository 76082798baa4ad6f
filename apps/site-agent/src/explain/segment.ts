/**
 * A segmenter explanation (paper 3.3.3, 4.2.3): per slice, the predicted probability of each
 * ventricle class over the slice (one overlay per class) and the argmax map, with Dice where the
 * slice has a label map; and the latent Dice map: the encoder's pooled deepest features of every
 * labelled slice in the site's manifests, PCA to 2-D, an MLP fitted to their per-sample Dice
 * (mean over the ventricle classes present), drawn as a grid with the samples (this patient's in
 * white). Slices are preprocessed by the segmentation pipeline in evaluation mode, as eval does.
 */
import * as tf from '@tensorflow/tfjs';
import { backboneOf, dicePerClass, nanMean } from '@unbox/models';
import { latentDiceMap } from '@unbox/xai';
import { UserError } from '../errors.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import type { SegmentTrainConfig } from '../training/config.js';
import { encodeRgbPng, greyToRgb, heatOverlay, jet, type Rgb } from './png.js';
import type { ExplainParams, SegmentExplanationJson } from './schema.js';
import type { SiteModel } from './site-model.js';
import type { Progress } from './run.js';

type SegJson = Omit<SegmentExplanationJson, 'task' | 'backend' | 'seed' | 'config' | 'versions' | 'created' | 'model' | 'params'>;

/** Class colours of the argmax overlay (class 0 = background is left unpainted). */
const CLASS_COLOURS: [number, number, number][] = [[0, 0, 0], [230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200], [245, 130, 48], [145, 30, 180]];

const pad3 = (i: number) => String(i).padStart(3, '0');

function firstChannelGrey(data: Float32Array, channels: number, n: number): Float32Array {
  const g = new Float32Array(n);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    g[i] = data[i * channels];
    lo = Math.min(lo, g[i]);
    hi = Math.max(hi, g[i]);
  }
  for (let i = 0; i < n; i++) g[i] = hi > lo ? (g[i] - lo) / (hi - lo) : 0;
  return g;
}

function softmaxAndFeatures(model: tf.LayersModel, encoder: tf.LayersModel, x: Float32Array, n: number, size: number, ch: number): { probs: Float32Array; feats: Float32Array; k: number } {
  return tf.tidy(() => {
    const t = tf.tensor4d(x, [n, size, size, ch]);
    const probs = tf.softmax(model.predict(t) as tf.Tensor4D).dataSync() as Float32Array;
    const f = (encoder.predict(t) as tf.Tensor4D).mean([1, 2]);
    return { probs, feats: f.dataSync() as Float32Array, k: f.shape[1] as number };
  });
}

/** Dice map drawn as an RGB image: PC2 upwards, `scale` px per cell, samples as 3×3 dots. */
function diceMapImage(grid: Float32Array, G: number, extent: [number, number, number, number], coords: Float64Array, mine: Set<number>, scale = 4): Rgb {
  const W = G * scale;
  const data = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++) {
      const v = grid[(G - 1 - Math.floor(y / scale)) * G + Math.floor(x / scale)];
      const [r, g, b] = jet(v);
      const o = 3 * (y * W + x);
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
    }
  const [x0, x1, y0, y1] = extent;
  for (let i = 0; i < coords.length / 2; i++) {
    const px = Math.round(((coords[2 * i] - x0) / (x1 - x0)) * (W - 1));
    const py = Math.round((1 - (coords[2 * i + 1] - y0) / (y1 - y0)) * (W - 1));
    const c = mine.has(i) ? 255 : 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx;
        const y = py + dy;
        if (x < 0 || y < 0 || x >= W || y >= W) continue;
        const o = 3 * (y * W + x);
        data[o] = data[o + 1] = data[o + 2] = c;
      }
  }
  return { data, width: W, height: W };
}

export async function explainSegmenter(site: SiteModel, rows: ManifestRow[], allRows: ManifestRow[], params: ExplainParams, onProgress?: Progress): Promise<{ json: SegJson; pngs: Map<string, Uint8Array> }> {
  const cfg = (site.config as SegmentTrainConfig).model;
  const size = cfg.encoder.inputSize;
  const ch = cfg.encoder.inputChannels;
  const C = cfg.numClasses;
  const per = size * size;
  const { entry, centre } = rows[0];
  const mine = await loadSegmentImages(rows, { size, channels: ch, augmentSeed: null });
  if (mine.skipped.length) throw new UserError(`patient ${entry.patient}: ${mine.skipped.map((s) => s.reason).join('; ')}`);
  const images = [...mine.labelled, ...mine.unlabelled];
  if (!images.length) throw new UserError(`patient ${entry.patient}: no slices to explain`);
  const encoder = backboneOf(site.model);
  const probs: Float32Array[] = [];
  for (let i = 0; i < images.length; i += 16) {
    const part = images.slice(i, i + 16);
    const x = new Float32Array(part.length * per * ch);
    part.forEach((im, j) => x.set(im.data, j * per * ch));
    const r = softmaxAndFeatures(site.model, encoder, x, part.length, size, ch);
    part.forEach((_, j) => probs.push(r.probs.slice(j * per * C, (j + 1) * per * C)));
  }
  const argmax = probs.map((p) => {
    const out = new Int32Array(per);
    for (let q = 0; q < per; q++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (p[q * C + c] > p[q * C + best]) best = c;
      out[q] = best;
    }
    return out;
  });
  const fg = argmax.map((a) => a.reduce((s, v) => s + (v > 0 ? 1 : 0), 0));
  let chosen: number[];
  if (params.slices === 'all') chosen = images.map((_, i) => i);
  else if (params.slices === 'top') chosen = images.map((_, i) => i).sort((a, b) => fg[b] - fg[a] || a - b).slice(0, params.top).sort((a, b) => a - b);
  else {
    for (const i of params.slices) if (i >= images.length) throw new UserError(`slice ${i} is outside 0..${images.length - 1} (the patient has ${images.length} slices)`);
    chosen = [...new Set(params.slices)].sort((a, b) => a - b);
  }
  const pngs = new Map<string, Uint8Array>();
  const slices: SegJson['slices'] = [];
  for (const [n, i] of chosen.entries()) {
    onProgress?.(n, chosen.length, `slice ${i}`);
    const im = images[i];
    const base = greyToRgb(firstChannelGrey(im.data, ch, per), size, size);
    const dice = im.mask ? dicePerClass(argmax[i], im.mask, C) : null;
    const classes: SegJson['slices'][number]['classes'] = [];
    for (let c = 1; c < C; c++) {
      const heat = new Float32Array(per);
      for (let q = 0; q < per; q++) heat[q] = probs[i][q * C + c];
      const name = `seg_${pad3(i)}_class${c}.png`;
      pngs.set(name, encodeRgbPng(heatOverlay(base, heat)));
      const d = dice ? dice[c - 1] : null;
      classes.push({ class: c, png: name, pixels: argmax[i].reduce((s, v) => s + (v === c ? 1 : 0), 0), dice: d !== null && Number.isFinite(d) ? d : null });
    }
    const over = { ...base, data: Uint8Array.from(base.data) };
    for (let q = 0; q < per; q++) {
      const c = argmax[i][q];
      if (!c) continue;
      const col = CLASS_COLOURS[c % CLASS_COLOURS.length];
      for (let k = 0; k < 3; k++) over.data[3 * q + k] = Math.round(0.5 * over.data[3 * q + k] + 0.5 * col[k]);
    }
    const overlay = `seg_${pad3(i)}.png`;
    pngs.set(overlay, encodeRgbPng(over));
    slices.push({ index: i, classes, overlay_png: overlay });
  }

  // Latent Dice map over the labelled slices of the site's manifests.
  const all = await loadSegmentImages(allRows, { size, channels: ch, augmentSeed: null });
  const samples = all.labelled.filter((im) => im.mask);
  const feats: number[][] = [];
  const dice: number[] = [];
  const patientSamples: number[] = [];
  let k = 0;
  for (let i = 0; i < samples.length; i += 16) {
    const part = samples.slice(i, i + 16);
    const x = new Float32Array(part.length * per * ch);
    part.forEach((im, j) => x.set(im.data, j * per * ch));
    const r = softmaxAndFeatures(site.model, encoder, x, part.length, size, ch);
    k = r.k;
    part.forEach((im, j) => {
      const pred = new Int32Array(per);
      for (let q = 0; q < per; q++) {
        let best = 0;
        for (let c = 1; c < C; c++) if (r.probs[(j * per + q) * C + c] > r.probs[(j * per + q) * C + best]) best = c;
        pred[q] = best;
      }
      const d = nanMean(dicePerClass(pred, im.mask as Uint8Array, C));
      if (!Number.isFinite(d)) return; // no ventricle in truth or prediction: Dice undefined
      if (im.centre === centre && im.id.startsWith(`${entry.patient}#`)) patientSamples.push(dice.length);
      feats.push(Array.from(r.feats.subarray(j * k, (j + 1) * k)));
      dice.push(d);
    });
  }
  let diceMap: SegJson['dice_map'] = null;
  if (dice.length >= 3) {
    const m = latentDiceMap({ data: Float64Array.from(feats.flat()), rows: dice.length, cols: k }, dice, { seed: params.seed });
    pngs.set('dice_map.png', encodeRgbPng(diceMapImage(m.grid, m.gridSize, m.extent, m.coords, new Set(patientSamples))));
    diceMap = {
      png: 'dice_map.png', samples: dice.length, patient_samples: patientSamples,
      coords: Array.from({ length: dice.length }, (_, i) => [m.coords[2 * i], m.coords[2 * i + 1]] as [number, number]),
      dice: Array.from(m.dice), grid_size: m.gridSize, extent: m.extent, explained_variance_ratio: m.explainedVarianceRatio, rmse: m.rmse, r2: m.r2,
    };
  }
  return { json: { patient: entry.patient, centre, slices, dice_map: diceMap }, pngs };
}
