/**
 * The classifier's training data on real files (a tiny synthetic consortium): per-batch views
 * (a patient seen twice is seen differently: the frozen-view bug gave the same pixels every
 * step), the evaluation view unchanged, and the monitor points `unbox-site train` records.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SYNTH_OPTIONS, writeConsortium } from '@unbox/data';
import { trainClassifier, type WindowView } from '@unbox/models';
import { createLogger } from '../logger.js';
import { loadClassifyPatients, loadClassifyTraining } from './classify-data.js';
import { parseTrainConfig } from './config.js';
import { selectRows } from './manifests.js';
import { runTraining } from './train-run.js';
import type { MonitorPoint } from './classify-monitor.js';

process.env.UNBOX_BACKEND = 'wasm';
const log = createLogger({ format: 'human', level: 'error', write: () => {} });
const TINY = { depth: 18, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'imagenet' } as const;
const MODEL = { backbone: TINY, phiFilters: 4, sectionLength: 4, k: 2, dropout: 0 };

let dir: string;
let manifests: string[];
let truths: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-cls-views-'));
  const r = await writeConsortium(join(dir, 'synth'), {
    ...DEFAULT_SYNTH_OPTIONS, seed: 7, centres: 2, size: 48, chestPatients: 4, chestSlices: 6,
    brainCtPatients: 2, brainMrPatients: 2, brainCoverage: 0.1, split: [0.5, 0, 0.5],
  });
  manifests = r.centres.map((c) => c.manifest);
  truths = r.centres.map((c) => c.groundTruth);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadClassifyTraining', () => {
  it('gives the evaluation view as the patients\' data and a view that differs every step (the frozen-view bug fails this)', async () => {
    const rows = (await selectRows(manifests, 'classify', ['train'])).rows;
    const t = await loadClassifyTraining(rows, { size: 32, channels: 1 });
    const e = await loadClassifyPatients(rows, { size: 32, channels: 1, augmentSeed: null });
    expect(t.patients.map((p) => p.patient.id)).toEqual(e.patients.map((p) => p.id));
    t.patients.forEach((p, i) => expect(p.patient.data).toEqual(e.patients[i].data));

    // what the trainer really stacks, per patient and window start, step after step
    const seen = new Map<string, Float32Array[]>();
    const spy: WindowView = (w, r) => {
      const x = t.view(w, r);
      const key = `${w.patient.id}@${w.start}`;
      seen.set(key, [...(seen.get(key) ?? []), x]);
      return x;
    };
    const patients = t.patients.map((p) => p.patient);
    await trainClassifier(patients, MODEL, { steps: 6, seed: 3, patientsPerBatch: 2, maxSlicesPerPatient: 64, view: spy });
    const repeats = [...seen.values()].filter((xs) => xs.length > 1);
    expect(repeats.length).toBeGreaterThan(0); // whole-scan windows: every repeat is the same window
    // frozen views: every repeat identical. Per-batch views: most repeats differ (a draw can still
    // repeat: ~1 in 7 crops falls back to the whole slice, as torchvision's does, and flips are coin tosses)
    const pairs = repeats.flatMap((xs) => xs.slice(1).map((x, i) => x.join(',') !== xs[i].join(',')));
    expect(pairs.filter(Boolean).length / pairs.length).toBeGreaterThan(0.5);
  }, 60_000);
});

describe('unbox-site train (classify) monitor', () => {
  it('records train (whole and augmented) and held-out AUCs at every checkpoint', async () => {
    const config = parseTrainConfig('classify', { seed: 3, steps: 4, checkpointEvery: 2, patientsPerBatch: 2, maxSlicesPerPatient: 4, evalSplits: ['train', 'test'], model: MODEL });
    const r = await runTraining({ task: 'classify', manifests, config, out: join(dir, 'cls'), groundTruth: truths, log });
    const ev = JSON.parse(await readFile(r.evaluationPath, 'utf8')) as { monitor: MonitorPoint[] };
    expect(ev.monitor.map((m) => m.step)).toEqual([2, 4]);
    expect(ev.monitor[1].loss).toBeCloseTo((r.losses[2] + r.losses[3]) / 2, 6);
    for (const m of ev.monitor) {
      expect(Object.keys(m.heldout)).toEqual(['test']);
      for (const a of [m.train, m.train_augmented, m.heldout.test]) {
        expect(a.patient_auc).toBeGreaterThanOrEqual(0);
        expect(a.patient_auc).toBeLessThanOrEqual(1);
      }
    }
  }, 60_000);

  it('monitors at most ~8 times a run, and after the last step', async () => {
    const config = parseTrainConfig('classify', { seed: 3, steps: 9, checkpointEvery: 1, patientsPerBatch: 2, maxSlicesPerPatient: 4, evalSplits: ['test'], model: MODEL });
    const r = await runTraining({ task: 'classify', manifests, config, out: join(dir, 'cls-9'), log });
    expect(r.evaluation).toMatchObject({ monitor: [2, 4, 6, 8, 9].map((step) => expect.objectContaining({ step })) });
  }, 60_000);
});
