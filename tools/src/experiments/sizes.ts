/**
 * Experiment sizes. `default` is sized to finish each experiment in under 30 minutes on 2 quiet
 * cores (docs/experiments.md has the measured step times); `quick` is a smoke run of a minute or two.
 * The synthetic consortium of a size lives in data/synthetic-<size> and is reused when present.
 */
import { DEFAULT_SYNTH_OPTIONS, type SynthOptions } from '@unbox/data';
import type { ClassifierConfigInput, SegmenterConfigInput } from '@unbox/models';

export interface ClassifySize {
  model: ClassifierConfigInput;
  steps: number;
  patientsPerBatch: number;
  maxSlicesPerPatient: number;
}

export interface SegmentSize {
  model: SegmenterConfigInput;
  steps: number;
  batchSize: number;
}

export interface ExperimentSize {
  name: 'default' | 'quick';
  synth: SynthOptions;
  classify: ClassifySize;
  segment: SegmentSize;
}

const backbone = (inputSize: number, width: number) => ({ depth: 18 as const, width, inputSize, inputChannels: 1, stem: 'imagenet' as const });

export const SIZES: Record<ExperimentSize['name'], ExperimentSize> = {
  default: {
    name: 'default',
    synth: { ...DEFAULT_SYNTH_OPTIONS, seed: 1, centres: 4, size: 128 },
    // whole chest volumes as bags (24..40 slices, as the paper feeds whole scans): ~64 slices per step. With a fresh
    // crop/flip per step (paper 4.1.2) 300 steps leave the training patients at AUC ~0.72; 500 reach ~0.83 and 1000-1500
    // add little (0.85-0.87; docs/experiments.md, "Classifier probes"). ~0.1-0.2 s per step on a quiet engine core.
    classify: { model: { backbone: backbone(64, 0.125), phiFilters: 16 }, steps: 500, patientsPerBatch: 2, maxSlicesPerPatient: 40 },
    // ventricles are 1.1 % of the pixels (third and fourth 0.06 / 0.03 %): at 1000 LS steps the argmax is still background
    // everywhere; LS at paper lr 1e-3: train-set Dice 0.09 CT / 0.28 MRI at 4000 steps, 0.27 / 0.44 at 8000, and LS+LT
    // (half the steps supervised) needs the 8000 (docs/experiments.md, "What makes it learn"). ~40 ms per step on the
    // native engine at 1 thread, ~6 min per run, two runs at a time (--jobs 2): ~17 min estimated for the four on 2 quiet cores (LS+LT ~62 ms/step; not yet measured quiet);
    // sized for the engine, not wasm (~0.3 s per step). With per-batch augmentation and the flip label swap (c974444)
    // LS reaches train Dice 0.31 CT / 0.65 MRI at 8000 steps: still under-fitting CT, so no fewer steps.
    segment: { model: { encoder: backbone(64, 0.125) }, steps: 8000, batchSize: 8 },
  },
  quick: {
    name: 'quick',
    synth: { ...DEFAULT_SYNTH_OPTIONS, seed: 1, centres: 4, size: 48, chestPatients: 8, chestSlices: 12, brainCtPatients: 4, brainMrPatients: 4, brainCoverage: 0.25 },
    classify: { model: { backbone: backbone(32, 0.0625), phiFilters: 4, sectionLength: 4, k: 2 }, steps: 20, patientsPerBatch: 2, maxSlicesPerPatient: 16 },
    segment: { model: { encoder: backbone(32, 0.0625) }, steps: 20, batchSize: 4 },
  },
};
