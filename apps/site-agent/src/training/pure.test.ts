/** The pure pieces of dataset assembly and resume checks, against hand-written expectations. */
import { describe, expect, it } from 'vitest';
import type { ChestTruth } from '@unbox/data';
import { toChannels } from './channels.js';
import { resumeConflict } from './checkpoint-state.js';
import { sliceLabelsFromTruth } from './classify-data.js';
import { parseTrainConfig } from './config.js';
import { byPatient, type ManifestRow } from './manifests.js';
import { thicknessOf } from './segment-data.js';
import { stepSummary } from './train-run.js';

const truth = (over: Partial<ChestTruth>): ChestTruth => ({
  patient: 'P', label: 'NCP', severity: 'mild', lesion_type: 'ground-glass', lesion_slices: [2, 3], lesion_voxels: 10, mask: 'm.nii.gz', split: 'test', ...over,
});

describe('dataset assembly (pure)', () => {
  it('slice labels: positive inside an NCP lesion run only; CP and Normal slices negative', () => {
    expect(sliceLabelsFromTruth(truth({}), 5)).toEqual([0, 0, 1, 1, 0]);
    expect(sliceLabelsFromTruth(truth({ label: 'CP', lesion_slices: [0, 4] }), 5)).toEqual([0, 0, 0, 0, 0]);
    expect(sliceLabelsFromTruth(truth({ lesion_slices: [2, 9] }), 5)).toBeUndefined(); // another grid: patient label instead
    expect(sliceLabelsFromTruth(truth({ lesion_slices: null }), 3)).toBeUndefined();
  });

  it('thickness class, grey → channels, scans grouped per centre and patient', () => {
    expect([thicknessOf(1), thicknessOf(1.5), thicknessOf(2.9), thicknessOf(3), thicknessOf(5)]).toEqual(['thin', 'thin', 'thin', 'thick', 'thick']);
    expect(Array.from(toChannels(Float32Array.of(1, 2), 3))).toEqual([1, 1, 1, 2, 2, 2]);
    const row = (centre: string, patient: string, n: number): ManifestRow => ({ centre, manifest: 'm', row: n, entry: { patient } as ManifestRow['entry'] });
    const groups = byPatient([row('A', 'p1', 1), row('A', 'p2', 2), row('A', 'p1', 3), row('B', 'p1', 4)]);
    expect(groups.map((g) => g.map((r) => r.row))).toEqual([[1, 3], [2], [4]]);
  });

  it('classify view options: the paper\'s crop and no jitter by default; a bad range is named', () => {
    const d = parseTrainConfig('classify', {});
    expect(d.task === 'classify' && [d.cropScale, d.scannerJitter, d.sampling]).toEqual([[0.9, 1], false, 'uniform']);
    expect(() => parseTrainConfig('classify', { sampling: 'stratified' }, 'c.json')).toThrow(/sampling: Invalid option/);
    expect(() => parseTrainConfig('classify', { cropScale: [0.9, 0.5] }, 'c.json')).toThrow(/c.json: invalid classify config: cropScale: must be \[lo, hi\]/);
    expect(() => parseTrainConfig('classify', { cropScale: [0, 1] }, 'c.json')).toThrow(/cropScale.0/);
    expect(() => parseTrainConfig('segment', { scannerJitter: true }, 'c.json')).toThrow(/Unrecognized key/);
  });

  it('resume: steps, checkpointEvery and evalSplits may change; anything else is named', () => {
    const a = parseTrainConfig('classify', { steps: 10 });
    expect(resumeConflict(a, parseTrainConfig('classify', { steps: 50, checkpointEvery: 5, evalSplits: ['test'] }))).toBeNull();
    expect(resumeConflict(a, parseTrainConfig('classify', { steps: 10, patientsPerBatch: 3 }))).toBe('patientsPerBatch (checkpoint 2, config 3)');
    expect(resumeConflict(a, parseTrainConfig('classify', { model: { mode: 'sim' } }))).toMatch(/^model \(/);
  });

  it('step summary: median and mean after two warm-up steps, mean of the last 10 losses', () => {
    const s = stepSummary([900, 800, 10, 30, 20, 40], [5, ...Array.from({ length: 10 }, () => 1)]);
    expect(s).toEqual({ step_ms_median: 30, step_ms_mean: 25, final_loss: 1 });
    expect(stepSummary([], [])).toEqual({ step_ms_median: null, step_ms_mean: null, final_loss: null });
  });
});
