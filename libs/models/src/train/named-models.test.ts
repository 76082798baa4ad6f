import { describe, expect, it } from 'vitest';
import { buildNamedModel, namedModel } from './named-models.js';

describe('namedModel', () => {
  it('classifier[:<px>][:lung]: input size and the lung crop (paper 4.1.2) from the name', () => {
    const plain = namedModel('classifier');
    expect(plain.task === 'classify' && [plain.config.backbone.inputSize, plain.config.lungCrop]).toEqual([64, false]);
    const lung = namedModel('classifier:96:lung');
    expect(lung.task === 'classify' && [lung.config.backbone.inputSize, lung.config.lungCrop]).toEqual([96, true]);
    const lung64 = namedModel('classifier:lung');
    expect(lung64.task === 'classify' && [lung64.config.backbone.inputSize, lung64.config.lungCrop]).toEqual([64, true]);
    expect(namedModel('segmenter:32').config).toMatchObject({ encoder: { inputSize: 32 } });
  });

  it(':gn: group norm in place of batch norm, in the classifier\'s backbone and the segmenter\'s encoder', () => {
    expect(namedModel('classifier:lung').config).toMatchObject({ backbone: { norm: 'batch' } });
    expect(namedModel('classifier:64:lung:gn').config).toMatchObject({ backbone: { inputSize: 64, norm: 'group' }, lungCrop: true });
    expect(namedModel('segmenter:gn').config).toMatchObject({ encoder: { norm: 'group' } });
    const names = buildNamedModel(namedModel('classifier:gn'), 1).weights.map((w) => w.originalName);
    expect(names.some((n) => n.includes('_bn/'))).toBe(false);
    expect(names.filter((n) => n.endsWith('_gn/gamma')).length).toBe(20);
  });

  it(':sn: every input slice standardised first (backbone.inputNorm slice), no weights added', () => {
    expect(namedModel('classifier:lung:sn').config).toMatchObject({ backbone: { inputNorm: 'slice', norm: 'batch' }, lungCrop: true });
    expect(namedModel('classifier:lung').config).toMatchObject({ backbone: { inputNorm: 'none' } });
    const sn = buildNamedModel(namedModel('classifier:sn'), 1);
    expect(sn.getLayer('backbone_input_std')).toBeDefined();
    expect(sn.countParams()).toBe(buildNamedModel(namedModel('classifier'), 1).countParams());
  });

  it('refuses the lung crop on the segmenter, a bad size and an unknown form, naming the accepted ones', () => {
    expect(() => namedModel('segmenter:lung')).toThrow("model 'segmenter:lung': ':lung' (the lung crop) applies to the classifier only");
    expect(() => namedModel('classifier:50')).toThrow(/multiple of 32/);
    expect(() => namedModel('classifier:lung:64')).toThrow(/classifier\[:<px>\]\[:lung\]\[:gn\]\[:sn\], segmenter\[:<px>\]\[:gn\]\[:sn\]/);
    expect(() => namedModel('classifier:gn:lung')).toThrow(/not a tfjs model name/);
  });
});
