/**
 * A segmenter explanation (paper 3.3.3, 4.2.3): per slice, the predicted probability of each
 * ventricle class over the slice (one overlay per class) and the argmax map, with Dice where the
 * slice has a label map; and the latent Dice map: the encoder's pooled deepest features of every
 * labelled slice in the site's manifests, PCA to 2-D, an MLP fitted to their per-sample Dice
 * (mean over the ventricle classes present), drawn as a grid with the samples (this patient's in
 * white). Slices are preprocessed by the segmentation pipeline in evaluation mode, as eval does.
 */
import { dicePerClass } from '@unbox/models';
import { latentDiceMap } from '@unbox/xai';
import { UserError } from '../errors.js';
import type { ManifestRow } from '../training/manifests.js';
import { loadSegmentImages } from '../training/segment-data.js';
import type { SegmentTrainConfig } from '../training/config.js';
import { encodeRgbPng, greyToRgb, heatOverlay, jet, type Rgb } from './png.js';
import type { ExplainParams, SegmentExplanationJson } from '@unbox/protocol';
import type { SiteModel } from './site-model.js';
import { classColour, segmentImages } from './segment-forward.js';
import type { Progress } from './run.js';

type SegJson = Omit<SegmentExplanationJson, 'task' | 'backend' | 'seed' | 'config' | 'versions' | 'created' | 'model' | 'params'>;


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
  const seg = segmentImages(site, images, { probs: true });
  const probs = seg.map((r) => r.probs as Float32Array);
  const argmax = seg.map((r) => r.classes);
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
      const col = classColour(c);
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
  segmentImages(site, samples).forEach((r, i) => {
    if (r.dice === null) return; // no ventricle in truth or prediction: Dice undefined
    const im = samples[i];
    if (im.centre === centre && im.id.startsWith(`${entry.patient}#`)) patientSamples.push(dice.length);
    k = r.features.length;
    feats.push(Array.from(r.features));
    dice.push(r.dice);
  });
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
