/**
 * Backbones as standalone tfjs models: carve one out of a trained classifier or segmenter (to save
 * it, e.g. as the local stand-in for ImageNet pre-training, which cannot be downloaded here) and
 * find the stage outputs of a loaded one (for the segmenter's U-Net skips). Works on graphs built
 * by resnet(): stage outputs are the layers named <prefix>_stem_relu and <prefix>_s<i>b<j>_out.
 */
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;

/** Stem output, then the last block of each stage, shallow to deep. */
export function stageOutputs(model: tf.LayersModel): Sym[] {
  const stem = model.layers.find((l) => /_stem_relu$/.test(l.name));
  const last = new Map<number, { block: number; layer: tf.layers.Layer }>();
  for (const l of model.layers) {
    const m = /_s(\d+)b(\d+)_out$/.exec(l.name);
    if (!m) continue;
    const [stage, block] = [Number(m[1]), Number(m[2])];
    if ((last.get(stage)?.block ?? -1) < block) last.set(stage, { block, layer: l });
  }
  if (!stem || last.size === 0) throw new Error(`model ${model.name}: no ResNet stages found (layers named *_stem_relu and *_s<i>b<j>_out)`);
  const stages = [...last.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v.layer.output as Sym);
  return [stem.output as Sym, ...stages];
}

function hasStages(model: tf.LayersModel): boolean {
  return model.layers.some((l) => /_s\d+b\d+_out$/.test(l.name));
}

/** A nested model (a loaded backbone applied as one layer) that holds the ResNet stages. */
export function nestedBackbone(model: tf.LayersModel): tf.LayersModel | null {
  for (const l of model.layers) if (l instanceof tf.LayersModel && hasStages(l)) return l;
  return null;
}

/** The backbone of a model as its own model: input → deepest feature map F. */
export function backboneOf(model: tf.LayersModel): tf.LayersModel {
  if (!hasStages(model)) {
    const nested = nestedBackbone(model);
    if (nested) return backboneOf(nested);
  }
  const stages = stageOutputs(model);
  return tf.model({ inputs: model.inputs, outputs: stages[stages.length - 1], name: 'backbone' });
}

/** The backbone as a multi-output model (stem and every stage) for U-Net skips. */
export function stagesModel(model: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: stageOutputs(model), name: 'encoder_stages' });
}
