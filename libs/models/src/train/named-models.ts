/**
 * Models named in a federated run config (`model` field), so the coordinator's initial global
 * model and every site's local model are the same network:
 *   classifier[:<px>][:lung][:gn][:sn]  the classifier of section 3.2 on the CPU-sized ResNet-18 backbone (width 1/8);
 *                                  `:lung` cuts every scan to its lungs first (config lungCrop, paper 4.1.2)
 *   segmenter[:<px>][:gn][:sn]          the segmenter of section 3.3 on the same encoder
 * `:gn` puts group norm in place of batch norm (backbone.norm 'group': no batch statistics, so
 * sites that each train on one centre's batches learn what every centre is evaluated with);
 * `:sn` standardises every input slice by its own mean and standard deviation first (backbone.inputNorm 'slice').
 * <px> is the input size (default 64). Tensors travel under the layers' own weight names
 * (`backbone_s1b1_a_bn/gamma`, `.../moving_mean`), which the builders set explicitly, so they are
 * the same in every process (tfjs' per-process `_1` suffixes of `name` are not used), and
 * batch-norm tensors carry `_bn/` for FedBN's name patterns.
 */
import * as tf from '@tensorflow/tfjs';
import { buildClassifier } from '../classifier/model.js';
import { ClassifierConfigSchema, type ClassifierConfig } from '../classifier/config.js';
import { buildSegmenter } from '../segmenter/model.js';
import { SegmenterConfigSchema, type SegmenterConfig } from '../segmenter/config.js';

/** The CPU-sized backbone (unbox-site train's default): ResNet-18 at 1/8 width, one CT channel. */
export const CPU_RESNET = { depth: 18, width: 0.125, inputSize: 64, inputChannels: 1, stem: 'imagenet' } as const;

export type NamedModel = { task: 'classify'; name: string; config: ClassifierConfig } | { task: 'segment'; name: string; config: SegmenterConfig };

/** A weight as the federation sends it: name, shape, float32 values. */
export interface NamedTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** Parses a model name; throws naming the accepted forms. */
export function namedModel(name: string): NamedModel {
  const m = /^(classifier|segmenter)(?::(\d+))?(:lung)?(:gn)?(:sn)?$/.exec(name);
  if (!m) throw new Error(`model '${name}': not a tfjs model name (classifier[:<px>][:lung][:gn][:sn], segmenter[:<px>][:gn][:sn])`);
  if (m[1] === 'segmenter' && m[3]) throw new Error(`model '${name}': ':lung' (the lung crop) applies to the classifier only`);
  const inputSize = m[2] === undefined ? CPU_RESNET.inputSize : Number(m[2]);
  if (inputSize < 32 || inputSize > 1024 || inputSize % 32 !== 0) throw new Error(`model '${name}': input size must be a multiple of 32 from 32 to 1024`);
  const backbone = { ...CPU_RESNET, inputSize, norm: m[4] ? 'group' as const : 'batch' as const, inputNorm: m[5] ? 'slice' as const : 'none' as const };
  return m[1] === 'classifier'
    ? { task: 'classify', name, config: ClassifierConfigSchema.parse({ backbone, lungCrop: m[3] !== undefined }) }
    : { task: 'segment', name, config: SegmenterConfigSchema.parse({ encoder: backbone }) };
}

/** Builds the named network with seeded initial weights. */
export function buildNamedModel(m: NamedModel, seed: number): tf.LayersModel {
  return m.task === 'classify' ? buildClassifier(m.config, { seed }).model : buildSegmenter(m.config, { seed }).model;
}

/** Every weight of the model (trainable and batch-norm statistics) in model order, under its layer-given name. */
export function readWeights(model: tf.LayersModel): NamedTensor[] {
  const seen = new Set<string>();
  return model.weights.map((w) => {
    if (seen.has(w.originalName)) throw new Error(`model weight name '${w.originalName}' occurs twice: weights cannot be exchanged by name`);
    seen.add(w.originalName);
    return { name: w.originalName, shape: [...w.shape] as number[], data: Float32Array.from(w.read().dataSync() as Float32Array) };
  });
}

/** Writes tensors into the model by name; every model weight must be given, with its shape. */
export function writeWeights(model: tf.LayersModel, tensors: readonly NamedTensor[]): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const w of model.weights) {
    const t = byName.get(w.originalName);
    if (!t) throw new Error(`received model lacks the weight '${w.originalName}'`);
    const shape = w.shape as number[];
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new Error(`weight '${w.originalName}': received shape [${t.shape}], the model has [${shape}]`);
  }
  if (byName.size !== model.weights.length) {
    const own = new Set(model.weights.map((w) => w.originalName));
    const extra = tensors.find((t) => !own.has(t.name));
    throw new Error(`received model has the weight '${extra?.name}', which this model does not`);
  }
  for (const w of model.weights) {
    const t = byName.get(w.originalName)!;
    const value = tf.tensor(t.data, [...t.shape], 'float32');
    w.write(value); // the variable keeps its own reference to the data
    value.dispose();
  }
}
