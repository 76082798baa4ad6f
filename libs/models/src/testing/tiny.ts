/** Tiny configurations for tests: 32 px, ResNet-18 layout at 1/16 width (4..32 channels). */
import type { ClassifierConfigInput } from '../classifier/config.js';
import type { SegmenterConfigInput } from '../segmenter/config.js';

export const TINY_BACKBONE = { depth: 18 as const, width: 1 / 16, inputSize: 32, inputChannels: 1, stem: 'imagenet' as const };
export const tinyClassifier = (over: ClassifierConfigInput = {}): ClassifierConfigInput => ({ backbone: TINY_BACKBONE, phiFilters: 4, ...over });
export const tinySegmenter = (over: SegmenterConfigInput = {}): SegmenterConfigInput => ({ encoder: TINY_BACKBONE, ...over });
