import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { classifierBatch, samplePatients, sliceWindow, trainClassifier, viewRng, type SliceWindow, type WindowView } from './train-classifier.js';
import type { PatientSlices } from './datasets.js';
import { loadCheckpoint } from './checkpoint.js';
import { adam } from './step.js';
import { lesionPatients } from '../testing/synthetic.js';
import { tinyClassifier } from '../testing/tiny.js';
import { maxAbsDiff } from '../testing/finite-difference.js';

let dir: string;
beforeAll(async () => { await selectBackend('wasm'); dir = await mkdtemp(join(tmpdir(), 'unbox-view-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const draws = (r: () => number, n: number) => Array.from({ length: n }, () => r());

/** A real augmentation for tests: every slice of the window flipped left-right with probability 1/2. */
const flipView: WindowView = (w, r) => {
  const { size, channels, data } = w.patient;
  const flip = r() < 0.5;
  const out = new Float32Array(w.count * size * size * channels);
  for (let s = 0; s < w.count; s++) for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) for (let c = 0; c < channels; c++) {
    const src = (((w.start + s) * size + y) * size + (flip ? size - 1 - x : x)) * channels + c;
    out[((s * size + y) * size + x) * channels + c] = data[src];
  }
  return out;
};

describe('viewRng', () => {
  it('depends on (seed, step) only: same pair same stream, another step or seed another stream', () => {
    expect(draws(viewRng(3, 7), 5)).toEqual(draws(viewRng(3, 7), 5));
    expect(draws(viewRng(3, 8), 5)).not.toEqual(draws(viewRng(3, 7), 5));
    expect(draws(viewRng(4, 7), 5)).not.toEqual(draws(viewRng(3, 7), 5));
    for (const x of draws(viewRng(0, 0), 100)) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe('classifierBatch with a view', () => {
  const p = lesionPatients(2, 3, 6, 8)[1];
  it('stacks what the view returns, not the stored slices', () => {
    const w: SliceWindow = { patient: p, start: 1, count: 3 };
    const batch = classifierBatch([w], 2, (win) => new Float32Array(win.count * 64).fill(7));
    expect(batch.x.shape).toEqual([3, 8, 8, 1]);
    expect(Array.from(new Set(batch.x.dataSync()))).toEqual([7]);
    expect(batch.spans).toEqual([{ start: 0, count: 3, label: [0, 1] }]);
    batch.x.dispose();
  });
  it('rejects a view of the wrong size, naming the patient', () => {
    expect(() => classifierBatch([{ patient: p, start: 0, count: 2 }], 2, () => new Float32Array(64))).toThrow(/patient P1: the view gave 64 values for 2 slices of 8×8×1 \(128 expected\)/);
  });
});

describe('trainClassifier with a per-batch view', () => {
  const data = lesionPatients(4, 1);
  const cfg = tinyClassifier({ sectionLength: 4, k: 2, dropout: 0 });

  /** A view that records the first draw of every call, per step (the frozen-view bug gives one value per patient forever). */
  function recording(): { view: WindowView; seen: { id: string; start: number; u: number }[] } {
    const seen: { id: string; start: number; u: number }[] = [];
    return { seen, view: (w, r) => { const u = r(); seen.push({ id: w.patient.id, start: w.start, u }); return w.patient.data.slice(w.start * 1024, (w.start + w.count) * 1024); } };
  }

  it('draws afresh every step (the same patient gets a new draw), reproducibly from the seed', async () => {
    const a = recording();
    const b = recording();
    await trainClassifier(data, cfg, { steps: 4, seed: 9, patientsPerBatch: 2, maxSlicesPerPatient: 4, view: a.view });
    await trainClassifier(data, cfg, { steps: 4, seed: 9, patientsPerBatch: 2, maxSlicesPerPatient: 4, view: b.view });
    expect(a.seen).toHaveLength(8);
    expect(b.seen).toEqual(a.seen);
    // 8 windows, at most 4 patients: some patient is drawn twice, and never with the same draw
    expect(new Set(a.seen.map((s) => s.u)).size).toBe(8);
    expect(new Set(a.seen.map((s) => s.id)).size).toBeLessThan(8);
  });

  it('resumed training equals uninterrupted training with the view (same draws, losses, weights)', async () => {
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => w.dataSync().slice());
    const straight = await trainClassifier(data, cfg, { steps: 4, seed: 5, patientsPerBatch: 2, view: flipView });
    await trainClassifier(data, cfg, { steps: 2, seed: 5, patientsPerBatch: 2, view: flipView, checkpoint: { dir: join(dir, 'c'), every: 1 } });
    const opt = adam();
    const { model, state } = await loadCheckpoint(join(dir, 'c'), opt);
    const resumed = await trainClassifier(data, cfg, { steps: 4, seed: 5, patientsPerBatch: 2, view: flipView, model, optimizer: opt, startStep: state.step });
    expect(resumed.losses).toHaveLength(2);
    expect(resumed.losses[0]).toBeCloseTo(straight.losses[2], 5);
    expect(resumed.losses[1]).toBeCloseTo(straight.losses[3], 5);
    weights(resumed.model).forEach((w, i) => expect(maxAbsDiff(w, weights(straight.model)[i])).toBeLessThan(1e-5));
  });

  it('the view changes what is trained on: a flipped view gives other losses than the stored slices', async () => {
    const plain = await trainClassifier(data, cfg, { steps: 3, seed: 5, patientsPerBatch: 2 });
    const flipped = await trainClassifier(data, cfg, { steps: 3, seed: 5, patientsPerBatch: 2, view: flipView });
    expect(flipped.losses.some((l, i) => Math.abs(l - plain.losses[i]) > 1e-6)).toBe(true);
  });

  it('sliceWindow keeps windows inside the patient', () => {
    const r = viewRng(1, 0);
    for (let i = 0; i < 50; i++) {
      const w = sliceWindow(data[0], r, 5);
      expect(w.count).toBe(5);
      expect(w.start >= 0 && w.start + w.count <= data[0].slices).toBe(true);
    }
  });
});

describe('samplePatients', () => {
  const mk = (id: string, centre: string, label: 0 | 1): PatientSlices => ({ id, centre, label, data: new Float32Array(1), slices: 1, size: 1, channels: 1 });
  // A: 1 positive, 3 negatives; B: 3 positives, 1 negative; C: negatives only
  const ps = [mk('a1', 'A', 1), mk('a2', 'A', 0), mk('a3', 'A', 0), mk('a4', 'A', 0), mk('b1', 'B', 1), mk('b2', 'B', 1), mk('b3', 'B', 1), mk('b4', 'B', 0), mk('c1', 'C', 0)];

  it('centre-balanced: pairs of one positive and one negative patient of the same centre, both mixed centres used', () => {
    const r = viewRng(1, 0);
    const centres = new Set<string>();
    let positives = 0;
    let n = 0;
    for (let i = 0; i < 200; i++) {
      const draw = samplePatients(ps, r, 4, 'centre-balanced');
      expect(draw).toHaveLength(4);
      for (let k = 0; k < 4; k += 2) {
        expect([draw[k].label, draw[k + 1].label]).toEqual([1, 0]);
        expect(draw[k].centre).toBe(draw[k + 1].centre);
        expect(draw[k].centre).not.toBe('C'); // no positive there
        centres.add(draw[k].centre!);
      }
      positives += draw.filter((p) => p.label === 1).length;
      n += draw.length;
    }
    expect([...centres].sort()).toEqual(['A', 'B']);
    expect(positives / n).toBe(0.5); // uniform draws would give 4/9
  });

  it('an odd batch ends with one patient from all; uniform draws from all; no mixed centre is an error', () => {
    expect(samplePatients(ps, viewRng(2, 0), 3, 'centre-balanced')).toHaveLength(3);
    const u = samplePatients(ps, viewRng(2, 0), 50);
    expect(new Set(u.map((p) => p.centre)).size).toBe(3);
    expect(() => samplePatients([mk('x', 'A', 1), mk('y', 'B', 0)], viewRng(2, 0), 2, 'centre-balanced')).toThrow(/needs a centre with both positive and negative patients/);
  });

  it('trainClassifier resumes centre-balanced runs identically (the sampler is replayed)', async () => {
    const data = lesionPatients(6, 2);
    const cfg = tinyClassifier({ sectionLength: 4, k: 2, dropout: 0 });
    const straight = await trainClassifier(data, cfg, { steps: 3, seed: 4, patientsPerBatch: 2, sampling: 'centre-balanced' });
    const first = await trainClassifier(data, cfg, { steps: 2, seed: 4, patientsPerBatch: 2, sampling: 'centre-balanced' });
    const resumed = await trainClassifier(data, cfg, { steps: 3, seed: 4, patientsPerBatch: 2, sampling: 'centre-balanced', model: first.model, optimizer: first.optimizer, startStep: 2 });
    expect(resumed.losses[0]).toBeCloseTo(straight.losses[2], 5);
  });
});
