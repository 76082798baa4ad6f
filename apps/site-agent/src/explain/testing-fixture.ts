/**
 * Test fixture: a tiny synthetic consortium in a temp folder and randomly initialised classifier
 * and segmenter checkpoints in the format `unbox-site train` writes (state.json + tfjs model).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SYNTH_OPTIONS, writeConsortium } from '@unbox/data';
import { buildClassifier, buildSegmenter, saveCheckpoint } from '@unbox/models';
import { ensureBackend } from '../training/backend.js';
import { parseTrainConfig } from '../training/config.js';

export const TINY_BACKBONE = { depth: 18, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'imagenet' } as const;

export interface ExplainFixture {
  dir: string;
  manifest: string;
  groundTruth: string;
  classifier: string;
  segmenter: string;
}

export async function explainFixture(): Promise<ExplainFixture> {
  process.env.UNBOX_BACKEND ??= 'wasm';
  await ensureBackend();
  const dir = await mkdtemp(join(tmpdir(), 'unbox-explain-'));
  const r = await writeConsortium(join(dir, 'synth'), {
    ...DEFAULT_SYNTH_OPTIONS, seed: 11, centres: 1, size: 32, chestPatients: 4, chestSlices: 6,
    brainCtPatients: 3, brainMrPatients: 0, brainCoverage: 0.5, split: [1, 0, 0],
  });
  const cls = parseTrainConfig('classify', { seed: 2, steps: 1, model: { backbone: TINY_BACKBONE, phiFilters: 4, sectionLength: 4, k: 2, dropout: 0, mode: 'sim' } });
  const seg = parseTrainConfig('segment', { seed: 2, steps: 1, model: { encoder: TINY_BACKBONE } });
  const classifier = join(dir, 'cls');
  const segmenter = join(dir, 'seg');
  const c = buildClassifier(cls.model as never, { seed: 2 });
  await saveCheckpoint(join(classifier, 'checkpoint'), c.model, null, { step: 0, seed: 2, config: cls });
  c.model.dispose();
  const s = buildSegmenter(seg.model as never, { seed: 2 });
  await saveCheckpoint(join(segmenter, 'checkpoint'), s.model, null, { step: 0, seed: 2, config: seg });
  s.model.dispose();
  return { dir, manifest: r.centres[0].manifest, groundTruth: r.centres[0].groundTruth, classifier, segmenter };
}
