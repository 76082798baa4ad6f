import { z } from 'zod';
import { outputStrideOf, ResNetConfigSchema } from '../layers/resnet.js';

/** Table 5's loss ablations and Table 4's decoders. */
export const SegLossSchema = z.enum(['LS', 'LT', 'LS+LT']);
export type SegLoss = z.infer<typeof SegLossSchema>;

export const SegmenterConfigSchema = z.object({
  // the U-Net/sub-pixel decoder doubles the resolution at every stage
  encoder: ResNetConfigSchema.refine((e) => outputStrideOf(e) === 32, { message: 'outputStride 8 or 16 (lastStride 1) applies to the classifier backbone only (the decoder upsamples ×2 per stage)', path: ['outputStride'] }).default(ResNetConfigSchema.parse({})),
  /** local tfjs layers-model directory holding a ResNet encoder (e.g. saved by backboneOf) */
  encoderFrom: z.string().optional(),
  decoder: z.enum(['subpixel', 'unet']).default('subpixel'),
  /** background + left lateral, right lateral, third, fourth ventricle */
  numClasses: z.number().int().min(2).default(5),
  /** decoder widths, deepest first; defaults to the encoder's stage widths. */
  decoderWidths: z.array(z.number().int().min(1)).optional(),
  loss: SegLossSchema.default('LS+LT'),
  /** Eq. 15 is plain CE ('none'); 'inverse-sqrt-frequency' weights classes by 1/√(pixel frequency) (segmenter/class-weights.ts) */
  classWeighting: z.enum(['none', 'inverse-sqrt-frequency']).default('none'),
  beta: z.number().min(0).default(1e-2),
  weightDecay: z.number().min(0).default(1e-5),
  learningRate: z.number().positive().default(1e-3),
});
export type SegmenterConfig = z.infer<typeof SegmenterConfigSchema>;
export type SegmenterConfigInput = z.input<typeof SegmenterConfigSchema>;

export const PAPER_SEGMENTER: SegmenterConfigInput = {
  encoder: { depth: 50, width: 1, inputSize: 224, inputChannels: 3, stem: 'imagenet' },
};
