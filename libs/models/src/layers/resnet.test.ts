import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { resnet } from './resnet.js';
import { SegmenterConfigSchema } from '../segmenter/config.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

function trainableParams(depth: 18 | 34 | 50): number {
  const { input, features } = resnet({ depth, width: 1, inputSize: 32, inputChannels: 3, stem: 'imagenet' });
  const m = tf.model({ inputs: input, outputs: features });
  const n = m.trainableWeights.reduce((a, w) => a + (w.shape as number[]).reduce((x, y) => x * y, 1), 0);
  m.dispose();
  return n;
}

describe('ResNet layouts', () => {
  // torchvision resnet18/34/50 parameter counts minus their 1000-way fc (512·1000+1000, 2048·1000+1000)
  it('ResNet-18 (BasicBlock) has torchvision\'s 11,176,512 backbone parameters', () => expect(trainableParams(18)).toBe(11_689_512 - 513_000));
  it('ResNet-34 (BasicBlock) has torchvision\'s 21,284,672 backbone parameters', () => expect(trainableParams(34)).toBe(21_797_672 - 513_000));
  it('ResNet-50 (Bottleneck) has torchvision\'s 23,508,032 backbone parameters', () => expect(trainableParams(50)).toBe(25_557_032 - 2_049_000));

  it('feature strides and widths: ImageNet stem /32, small stem /8; width multiplier scales channels', () => {
    const a = resnet({ depth: 18, width: 0.25, inputSize: 128, inputChannels: 1, stem: 'imagenet' });
    expect(a.features.shape).toEqual([null, 4, 4, 128]);
    expect(a.stages.map((s) => s.shape[1])).toEqual([64, 32, 16, 8, 4]);
    const b = resnet({ depth: 50, width: 0.125, inputSize: 32, inputChannels: 1, stem: 'small' });
    expect(b.features.shape).toEqual([null, 4, 4, 256]);
  });

  it('lastStride 1: stage 4 stays at stage 3\'s resolution (output stride 16), same weights', () => {
    const c = resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, lastStride: 1 });
    expect(c.stages.map((s) => s.shape[1])).toEqual([32, 16, 8, 4, 4]);
    const count = (r: ReturnType<typeof resnet>) => tf.model({ inputs: r.input, outputs: r.features }).countParams();
    expect(count(c)).toBe(count(resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1 })));
    expect(resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, outputStride: 16 }).stages.map((s) => s.shape[1])).toEqual([32, 16, 8, 4, 4]);
  });

  it('outputStride 8: stages 3 and 4 stay at stage 2\'s resolution (an 8×8 map at 64 px), same weights', () => {
    const c = resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, outputStride: 8 });
    expect(c.stages.map((s) => s.shape[1])).toEqual([32, 16, 8, 8, 8]);
    expect(c.features.shape).toEqual([null, 8, 8, 64]);
    const count = (r: ReturnType<typeof resnet>) => tf.model({ inputs: r.input, outputs: r.features }).countParams();
    expect(count(c)).toBe(count(resnet({ depth: 18, width: 0.125, inputSize: 64, inputChannels: 1 })));
  });

  it('refuses lastStride and outputStride that disagree, naming both spellings', () => {
    expect(() => resnet({ depth: 18, width: 0.125, inputSize: 64, lastStride: 1, outputStride: 8 })).toThrow(/older spelling of outputStride/);
    expect(resnet({ depth: 18, width: 0.125, inputSize: 64, lastStride: 1, outputStride: 16 }).features.shape[1]).toBe(4);
  });
});

describe('segmenter encoder', () => {
  it('refuses an output stride below 32 in either spelling (its decoder upsamples ×2 per stage), naming the field', () => {
    for (const encoder of [{ lastStride: 1 }, { outputStride: 16 }, { outputStride: 8 }] as const) {
      const r = SegmenterConfigSchema.safeParse({ encoder });
      expect(r.success).toBe(false);
      expect(!r.success && r.error.issues[0]).toMatchObject({ path: ['encoder', 'outputStride'], message: expect.stringContaining('classifier backbone only') });
    }
    expect(SegmenterConfigSchema.safeParse({ encoder: { outputStride: 32 } }).success).toBe(true);
  });
});
