import { z } from 'zod';
import { ResNetConfigSchema } from '../layers/resnet.js';

/** Table 2's rows: how patient labels reach the loss. */
export const ClassifierModeSchema = z.enum(['image-level', 'max-pool', 'sim', 'sim+ncm']);
export type ClassifierMode = z.infer<typeof ClassifierModeSchema>;

/** Hyper-parameters default to paper 3.4; the backbone defaults to the CPU-sized ResNet-18. */
export const ClassifierConfigSchema = z.object({
  backbone: ResNetConfigSchema.default(ResNetConfigSchema.parse({})),
  /** local tfjs layers-model directory whose output is the feature map F; overrides `backbone` layers. */
  backboneFrom: z.string().optional(),
  mode: ClassifierModeSchema.default('sim+ncm'),
  /**
   * Cut every CT to the square box around its lungs before the crop and resize (paper 4.1.2 crops
   * to the segmented lungs first), for training, evaluation and explanations alike. Off by default:
   * models saved before this field existed saw whole slices.
   */
  lungCrop: z.boolean().default(false),
  numClasses: z.number().int().min(1).default(2),
  dropout: z.number().min(0).max(0.99).default(0.7),
  /** width of the NCM feature transform φ. */
  phiFilters: z.number().int().min(1).default(32),
  sectionLength: z.number().int().min(1).default(16),
  k: z.number().int().min(1).default(8),
  lambda: z.number().min(0).default(1e-4),
  weightDecay: z.number().min(0).default(1e-5),
  learningRate: z.number().positive().default(1e-3),
});
export type ClassifierConfig = z.infer<typeof ClassifierConfigSchema>;
export type ClassifierConfigInput = z.input<typeof ClassifierConfigSchema>;

/** The paper's setting (3.4): ResNet-50 at 224 px. */
export const PAPER_CLASSIFIER: ClassifierConfigInput = {
  backbone: { depth: 50, width: 1, inputSize: 224, inputChannels: 3, stem: 'imagenet' },
};
