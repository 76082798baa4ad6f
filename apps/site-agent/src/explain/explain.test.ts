/**
 * `unbox-site explain` on a tiny synthetic consortium with randomly initialised models: the
 * explanation.json schema, SHAP efficiency, SIM arithmetic (Eq. 5–6), the PNGs decode at the input
 * size, the segmenter branch (overlays per ventricle, latent Dice map), and operator errors.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '@unbox/data';
import { buildProgram } from '../program.js';
import { explainFixture, type ExplainFixture } from './testing-fixture.js';
import { decodePngRgb } from './png.js';
import { ExplanationJson, type ClassifyExplanationJson, type SegmentExplanationJson } from '@unbox/protocol';
import { chooseSlices, lesionRanking, pointingTolerance, withoutBias } from './classify.js';
import { AIR_FILL, explainParams } from './run.js';

let fx: ExplainFixture;
let patients: { id: string; label?: string }[];

beforeAll(async () => {
  fx = await explainFixture();
  const m = await loadManifest(fx.manifest);
  patients = m.entries.filter((e) => e.entry.task === 'classify').map((e) => ({ id: e.entry.patient, label: e.entry.label }));
}, 120_000);

afterAll(async () => {
  if (fx) await rm(fx.dir, { recursive: true, force: true });
});

const FAST = ['--top', '2', '--segments', '12', '--lime-samples', '60', '--shap-samples', '80'];

async function cli(args: string[]): Promise<void> {
  await buildProgram().parseAsync(['node', 'unbox-site', '--log-level', 'error', ...args]);
}

describe('explain params', () => {
  it('parses --slices and names the bad value', () => {
    expect(explainParams({ slices: 'top' }).slices).toBe('top');
    expect(explainParams({ slices: 'all' }).slices).toBe('all');
    expect(explainParams({ slices: '3, 1' }).slices).toEqual([3, 1]);
    expect(() => explainParams({ slices: '3,x' })).toThrow(/--slices: "3,x"/);
    expect(explainParams({}).fill).toEqual({ value: AIR_FILL });
    // −1000 HU in the lung window [−1350, 150]: 350 / 1500
    expect(AIR_FILL).toBeCloseTo(350 / 1500, 6);
  });
  it('chooses the top slices by score, all, or a checked list', () => {
    expect(chooseSlices([0.1, 3, -2, 3, 1], 'top', 2)).toEqual([1, 3]);
    expect(chooseSlices([0.1, 3], 'all', 2)).toEqual([0, 1]);
    expect(chooseSlices([0.1, 3, 1], [2, 0, 2], 1)).toEqual([0, 2]);
    expect(() => chooseSlices([0.1, 3], [2], 1)).toThrow(/slice 2 is outside 0..1/);
  });
});

describe('lesion ranking of superpixel attributions', () => {
  // 4 superpixels on a 4×1 strip; the lesion touches superpixels 1 and 3
  const sp = { labels: Int32Array.of(0, 1, 2, 3), count: 4, width: 4, height: 1 };
  const mask = [0, 1, 0, 1];
  it('top superpixel, chance level and the Mann–Whitney AUC (ties ½)', () => {
    expect(lesionRanking([0.1, 0.9, 0.2, 0.1], sp, mask)).toEqual({ top_is_lesion: true, lesion_superpixels: 2, chance: 0.5, rank_auc: (1 + 1 + 0.5 + 0) / 4 });
    // lesion {0.1, 0.3} vs rest {0.5, 0.2}: only 0.3 > 0.2 of the four pairs
    expect(lesionRanking([0.5, 0.1, 0.2, 0.3], sp, mask)).toMatchObject({ top_is_lesion: false, rank_auc: 0.25 });
    expect(lesionRanking([1, 1, 1, 1], sp, [0, 0, 0, 0])).toMatchObject({ lesion_superpixels: 0, chance: 0, rank_auc: null });
    expect(() => lesionRanking([1, 2], sp, mask)).toThrow(/2 values for 4 superpixels/);
  });
  it('takes b_c out of A_conv channel by channel (Zhou et al. CAM)', () => {
    // 2 positions × 2 classes, channels last
    expect(Array.from(withoutBias(Float32Array.of(1, 5, 2, 7), Float32Array.of(0.5, 4)))).toEqual([0.5, 1, 1.5, 3]);
  });
  it('scales the pointing tolerance from 15 px at 224 px', () => {
    expect(pointingTolerance(224)).toBe(15);
    expect(pointingTolerance(64)).toBeCloseTo(15 * 64 / 224, 12);
  });
});

describe('unbox-site explain (classifier)', () => {
  it('writes explanation.json with SIM sections, CAM boxes, LIME and SHAP (efficiency), and decodable PNGs', async () => {
    const ncp = patients.find((p) => p.label === 'NCP') ?? patients[0];
    const out = join(fx.dir, 'ex-cls');
    await cli(['explain', '--model', fx.classifier, '--manifest', fx.manifest, '--patient', ncp.id, '--out', out, '--ground-truth', fx.groundTruth, ...FAST]);
    const raw = JSON.parse(await readFile(join(out, 'explanation.json'), 'utf8'));
    const e = ExplanationJson.parse(raw) as ClassifyExplanationJson;
    expect(e.task).toBe('classify');
    expect(e.patient).toBe(ncp.id);
    expect(e).toMatchObject({ backend: 'wasm', seed: 0, mode: 'sim', model: { step: 0, hash: expect.stringMatching(/^[0-9a-f]{16}$/) }, params: { top: 2, segments: 12, limeSamples: 60, shapSamples: 80 } });
    expect(e.versions).toHaveProperty('tfjs');
    expect(Date.parse(e.created)).toBeGreaterThan(0);
    // 6 slices, l_s = 4: one section (Eq. 4: ⌊6/4⌋ = 1), the remainder joins it
    expect(e.slice_scores).toHaveLength(6);
    // ImageNet stem, 5 stride-2 steps: 32 px → a 1×1 A_conv
    expect(e.cam_grid).toEqual([1, 1]);
    expect(e.sections).toEqual([{ slices: [0, 5], logit: expect.any(Number), probability: expect.any(Number) }]);
    // Eq. 6: z = mean of the top k = 2 slice scores; Eq. 5 for mode sim: P = σ(Σ z_i)
    const top2 = [...e.slice_scores].sort((a, b) => b - a).slice(0, 2);
    expect(e.sections[0].logit).toBeCloseTo((top2[0] + top2[1]) / 2, 5);
    expect(e.probability).toBeCloseTo(1 / (1 + Math.exp(-e.sections[0].logit)), 6);
    // top 2 slices by score, in index order
    const want = e.slice_scores.map((s, i) => [s, i]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, 2).map((x) => x[1]).sort((a, b) => a - b);
    expect(e.slices.map((s) => s.index)).toEqual(want);
    for (const s of e.slices) {
      expect(s.score).toBeCloseTo(e.slice_scores[s.index], 6);
      const sum = s.shap.values.reduce((a, b) => a + b, 0);
      expect(Math.abs(s.shap.base_value + sum - s.shap.fx)).toBeLessThan(1e-6);
      // SHAP and LIME explain the same quantity: the slice logit of Eq. 3
      expect(s.shap.fx).toBeCloseTo(s.score, 4);
      expect(s.lime.fx).toBeCloseTo(s.score, 4);
      expect(s.shap.values).toHaveLength(s.superpixels.count);
      expect(s.lime.weights).toHaveLength(s.superpixels.count);
      for (const b of s.boxes) {
        expect(b[0]).toBeLessThanOrEqual(b[2]);
        expect(b[1]).toBeLessThanOrEqual(b[3]);
        expect(b[2]).toBeLessThan(32);
      }
      for (const png of [s.cam_png, s.lime.png, s.shap.png]) {
        const img = decodePngRgb(await readFile(join(out, png)));
        expect([img.width, img.height]).toEqual([32, 32]);
      }
      expect(s.superpixels.png && existsSync(join(out, s.superpixels.png))).toBe(true);
    }
    if (e.quality) expect(e.quality.lesion_slices).toBeGreaterThan(0);
  });

  it('--randomise-weights explains with re-drawn weights (Adebayo et al.) and records the seed, reproducibly', async () => {
    const p = patients[0].id;
    const read = async (dir: string) => ExplanationJson.parse(JSON.parse(await readFile(join(dir, 'explanation.json'), 'utf8'))) as ClassifyExplanationJson;
    const args = (out: string) => ['explain', '--model', fx.classifier, '--manifest', fx.manifest, '--patient', p, '--out', join(fx.dir, out), '--slices', '1,2', ...FAST];
    await cli(args('ex-trained'));
    await cli([...args('ex-random'), '--randomise-weights', '5']);
    await cli([...args('ex-random2'), '--randomise-weights', '5']);
    const [trained, random, again] = [await read(join(fx.dir, 'ex-trained')), await read(join(fx.dir, 'ex-random')), await read(join(fx.dir, 'ex-random2'))];
    expect(random.model.randomised_weights_seed).toBe(5);
    expect(trained.model.randomised_weights_seed).toBeUndefined();
    expect(random.model.hash).toBe(trained.model.hash); // the same checkpoint, explained with other weights
    expect(random.slice_scores).not.toEqual(trained.slice_scores);
    expect(again.slice_scores).toEqual(random.slice_scores); // seeded
    expect(random.slices[0].shap.values).not.toEqual(trained.slices[0].shap.values);
    await expect(cli([...args('ex-bad-seed'), '--randomise-weights', '-1'])).rejects.toThrow(/must be a whole number/);
  });

  it('refuses an unknown patient and an out-of-range slice with clear messages', async () => {
    const out = join(fx.dir, 'ex-bad');
    await expect(cli(['explain', '--model', fx.classifier, '--manifest', fx.manifest, '--patient', 'NOPE', '--out', out])).rejects.toThrow(/patient "NOPE" has no classify rows/);
    await expect(cli(['explain', '--model', fx.classifier, '--manifest', fx.manifest, '--patient', patients[0].id, '--out', out, '--slices', '99', ...FAST]))
      .rejects.toThrow(/slice 99 is outside 0..5/);
    await expect(cli(['explain', '--model', join(fx.dir, 'nothing'), '--manifest', fx.manifest, '--patient', patients[0].id, '--out', out])).rejects.toThrow(/no checkpoint here/);
    expect(existsSync(join(out, 'explanation.json'))).toBe(false);
  });
});

describe('unbox-site explain (segmenter)', () => {
  it('writes an overlay per ventricle class and the latent Dice map', async () => {
    const m = await loadManifest(fx.manifest);
    const seg = m.entries.find((e) => e.entry.task === 'segment' && e.entry.mask);
    expect(seg).toBeDefined();
    const out = join(fx.dir, 'ex-seg');
    await cli(['explain', '--model', fx.segmenter, '--manifest', fx.manifest, '--patient', seg!.entry.patient, '--out', out, '--top', '1']);
    const e = ExplanationJson.parse(JSON.parse(await readFile(join(out, 'explanation.json'), 'utf8'))) as SegmentExplanationJson;
    expect(e.task).toBe('segment');
    expect(e.slices).toHaveLength(1);
    expect(e.slices[0].classes.map((c) => c.class)).toEqual([1, 2, 3, 4]);
    for (const c of e.slices[0].classes) expect(decodePngRgb(await readFile(join(out, c.png))).width).toBe(32);
    expect(e.dice_map).not.toBeNull();
    const d = e.dice_map!;
    expect(d.coords).toHaveLength(d.samples);
    expect(d.dice.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(d.patient_samples.length).toBeGreaterThan(0);
    expect(decodePngRgb(await readFile(join(out, d.png))).width).toBe(d.grid_size * 4);
  });
});
