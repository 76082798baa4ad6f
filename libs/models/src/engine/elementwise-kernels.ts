/**
 * Element-wise, reduction and data-movement kernels on the addon: the memory-bound ops around
 * the convolutions, which the cpu backend runs as scalar JS loops.
 */
import * as tf from '@tensorflow/tfjs';
import { BIN, UN } from './native.js';
import { NATIVE_BACKEND, output, registerNative, registerNativeOnly, values, type KernelArgs } from './native-backend.js';

/**
 * Broadcast a and b to out, then merge neighbouring dimensions that stay contiguous for both
 * inputs: the addon then walks few, long rows (e.g. NHWC ⊕ [C] becomes [N·H·W, C]).
 */
export function collapseBroadcast(out: number[], as: number[], bs: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const r = out.length;
  const pad = (s: number[]) => [...new Array<number>(r - s.length).fill(1), ...s];
  const a = pad(as), b = pad(bs);
  const strides = (s: number[]) => {
    const st = new Array<number>(r);
    let acc = 1;
    for (let d = r - 1; d >= 0; d--) {
      st[d] = s[d] === 1 && out[d] !== 1 ? 0 : acc;
      acc *= s[d];
    }
    return st;
  };
  const sa0 = strides(a), sb0 = strides(b);
  const shape: number[] = [], sa: number[] = [], sb: number[] = [];
  for (let d = 0; d < r; d++) {
    if (out[d] === 1) continue;
    const k = shape.length - 1;
    const merge = (s: number[], s0: number[]) => (s[k] === 0 && s0[d] === 0) || (s[k] !== 0 && s0[d] !== 0 && s[k] === s0[d] * out[d]);
    if (k >= 0 && merge(sa, sa0) && merge(sb, sb0)) {
      shape[k] *= out[d];
      sa[k] = sa0[d];
      sb[k] = sb0[d];
    } else {
      shape.push(out[d]);
      sa.push(sa0[d]);
      sb.push(sb0[d]);
    }
  }
  if (shape.length === 0) return { shape: [1], sa: [1], sb: [1] };
  return { shape, sa, sb };
}

function binary(op: number) {
  return ({ inputs, backend }: KernelArgs): tf.TensorInfo | null => {
    const a = values(backend, inputs.a), b = values(backend, inputs.b);
    if (!a || !b) return null;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(inputs.a.shape, inputs.b.shape);
    const out = output(backend, outShape);
    if (out.data.length === 0) return out.info;
    const c = collapseBroadcast(outShape, inputs.a.shape, inputs.b.shape);
    backend.addon.binary(op, c.shape, a, c.sa, b, c.sb, out.data);
    return out.info;
  };
}

function unary(op: number, alphaOf: (attrs: tf.NamedAttrMap | undefined) => number = () => 0) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null => {
    const x = values(backend, inputs.x);
    if (!x) return null;
    const out = output(backend, inputs.x.shape);
    backend.addon.unary(op, x, out.data, alphaOf(attrs));
    return out.info;
  };
}

/**
 * Reduction over `axes` as [outer, reduced, inner] when the reduced axes are one contiguous run
 * after dropping size-1 dims; other layouts go to the cpu kernel.
 */
export function reductionLayout(shape: number[], axes: number[]): { outer: number; red: number; inner: number } | null {
  const set = new Set(axes);
  let outer = 1, red = 1, inner = 1, phase = 0; // 0 before the run, 1 inside, 2 after
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const reduced = set.has(d);
    if (reduced) {
      if (phase === 2) return null;
      phase = 1;
      red *= shape[d];
    } else if (phase === 0) outer *= shape[d];
    else {
      phase = 2;
      inner *= shape[d];
    }
  }
  return { outer, red, inner };
}

function reduction(kind: 0 | 1 | 2, axisAttr: string) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null => {
    const x = values(backend, inputs.x);
    if (!x || x.length === 0) return null;
    const axes = tf.util.parseAxisParam(attrs?.[axisAttr] as number | number[], inputs.x.shape);
    const layout = reductionLayout(inputs.x.shape, axes);
    if (!layout) return null;
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(inputs.x.shape, axes);
    const shape = attrs?.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const out = output(backend, shape);
    backend.addon.reduce(kind, layout.outer, layout.red, layout.inner, x, out.data);
    return out.info;
  };
}

function addN({ inputs, backend }: KernelArgs): tf.TensorInfo | null {
  const list = inputs as unknown as tf.TensorInfo[];
  const vals = list.map((t) => values(backend, t));
  if (vals.some((v) => !v) || list.some((t) => !tf.util.arraysEqual(t.shape, list[0].shape))) return null;
  const out = output(backend, list[0].shape);
  backend.addon.addN(vals as Float32Array[], out.data, out.data.length);
  return out.info;
}

function tile({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const x = values(backend, inputs.x);
  const reps = (attrs as unknown as tf.TileAttrs).reps;
  if (!x || inputs.x.shape.length === 0) return null;
  const out = output(backend, inputs.x.shape.map((s, i) => s * reps[i]));
  if (out.data.length > 0) backend.addon.tile(inputs.x.shape, reps, x, out.data);
  return out.info;
}

function transpose({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const x = values(backend, inputs.x);
  const perm = (attrs as unknown as tf.TransposeAttrs).perm;
  if (!x || inputs.x.shape.length === 0) return null;
  const out = output(backend, perm.map((p) => inputs.x.shape[p]));
  if (out.data.length > 0) backend.addon.transpose(inputs.x.shape, perm, x, out.data);
  return out.info;
}

function sliceInto(backend: KernelArgs['backend'], x: tf.TensorInfo, xv: Float32Array, begin: number[], size: number[]): tf.TensorInfo {
  const out = output(backend, size);
  if (out.data.length > 0) backend.addon.slice(x.shape, begin, size, xv, out.data);
  return out.info;
}

/** A dense copy of the box (the cpu kernel's strided path is a scalar loop over every element). */
function slice({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const x = values(backend, inputs.x);
  if (!x || inputs.x.shape.length === 0) return null;
  const a = attrs as unknown as tf.SliceAttrs;
  const [begin, size] = tf.slice_util.parseSliceParams(inputs.x as unknown as tf.Tensor, a.begin, a.size);
  tf.slice_util.assertParamsValid(inputs.x as unknown as tf.Tensor, begin, size);
  return sliceInto(backend, inputs.x, x, begin, size);
}

/** SplitV: the gradient of Concat (U-Net skips), one dense slice per part. */
function splitV({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] | null {
  const x = values(backend, inputs.x);
  if (!x || inputs.x.shape.length === 0) return null;
  const a = attrs as unknown as tf.SplitVAttrs;
  const axis = tf.util.parseAxisParam(a.axis, inputs.x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(inputs.x as unknown as tf.Tensor, a.numOrSizeSplits, axis);
  const begin = new Array<number>(inputs.x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = inputs.x.shape.slice();
    size[axis] = s;
    const part = sliceInto(backend, inputs.x, x, begin.slice(), size);
    begin[axis] += s;
    return part;
  });
}

function concat({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const list = (inputs as unknown as tf.TensorInfo[]).filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  if (list.length === 0) return null;
  const vals = list.map((t) => values(backend, t));
  if (vals.some((v) => !v)) return null;
  const axis = tf.util.parseAxisParam((attrs as unknown as tf.ConcatAttrs).axis, list[0].shape)[0];
  const shapes = list.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, axis);
  const outShape = tf.backend_util.computeOutShape(shapes, axis);
  const outer = outShape.slice(0, axis).reduce((p, q) => p * q, 1);
  const out = output(backend, outShape);
  backend.addon.concat(vals as Float32Array[], outer, shapes.map((s) => s.slice(axis).reduce((p, q) => p * q, 1)), out.data);
  return out.info;
}

/** FusedBatchNorm with per-channel (last axis) or scalar statistics and parameters. */
function fusedBatchNorm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const x = values(backend, inputs.x);
  if (!x || inputs.x.shape.length === 0) return null;
  const c = inputs.x.shape[inputs.x.shape.length - 1];
  const param = (t: tf.TensorInfo | undefined): { v: Float32Array | null; s: number } | null => {
    if (!t) return { v: null, s: 0 };
    const v = values(backend, t);
    if (!v) return null;
    if (v.length === c && t.shape[t.shape.length - 1] === c) return { v, s: 1 };
    if (v.length === 1) return { v, s: 0 };
    return null;
  };
  const mean = param(inputs.mean), variance = param(inputs.variance), offset = param(inputs.offset), scale = param(inputs.scale);
  if (!mean?.v || !variance?.v || !offset || !scale) return null;
  const out = output(backend, inputs.x.shape);
  const eps = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon ?? 0.001;
  backend.addon.bnApply(x.length / c, c, x, mean.v, mean.s, variance.v, variance.s, scale.v, scale.s, offset.v, offset.s, eps, out.data);
  return out.info;
}

export const RELU_GRAD = 'UnboxReluGrad';

/** dy · step(x) in one pass (tfjs runs Step, Cast and Multiply, each a full-size tensor). */
function reluGrad(args: KernelArgs): tf.TensorInfo {
  const out = binary(BIN.reluGrad)({ ...args, inputs: { a: args.inputs.dy, b: args.inputs.x } });
  if (!out) throw new Error(`${RELU_GRAD}: float32 dy and x of one shape expected`);
  return out;
}

let reluGradientRegistered = false;

/**
 * Relu's gradient, as tfjs-core defines it (mul(dy, step(x))), computed by one native kernel on
 * this backend; every other backend keeps tfjs' own gradient function.
 */
function registerReluGradient(): void {
  if (reluGradientRegistered) return;
  const original = tf.getGradient('Relu');
  if (!original) throw new Error('tfjs has no Relu gradient to extend');
  tf.registerGradient({
    ...original,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const g = dy as tf.Tensor, [x] = saved;
      if (tf.getBackend() !== NATIVE_BACKEND || g.dtype !== 'float32' || x.dtype !== 'float32' || !tf.util.arraysEqual(g.shape, x.shape)) {
        return original.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor };
    },
  });
  reluGradientRegistered = true;
}

export function registerElementwiseKernels(): void {
  registerNativeOnly(RELU_GRAD, reluGrad);
  registerReluGradient();
  registerNative('Add', binary(BIN.add));
  registerNative('Sub', binary(BIN.sub));
  registerNative('Multiply', binary(BIN.mul));
  registerNative('RealDiv', binary(BIN.div));
  registerNative('Maximum', binary(BIN.max));
  registerNative('Minimum', binary(BIN.min));
  registerNative('SquaredDifference', binary(BIN.sqdiff));
  registerNative('Relu', unary(UN.relu));
  registerNative('Relu6', unary(UN.relu6));
  registerNative('Step', unary(UN.step, (a) => (a?.alpha as number | undefined) ?? 0));
  registerNative('Neg', unary(UN.neg));
  registerNative('Square', unary(UN.square));
  registerNative('Sqrt', unary(UN.sqrt));
  registerNative('Rsqrt', unary(UN.rsqrt));
  registerNative('Reciprocal', unary(UN.recip));
  registerNative('Exp', unary(UN.exp));
  registerNative('Log', unary(UN.log));
  registerNative('Sigmoid', unary(UN.sigmoid));
  registerNative('Tanh', unary(UN.tanh));
  registerNative('Abs', unary(UN.abs));
  registerNative('AddN', addN);
  registerNative('Sum', reduction(0, 'axis'));
  registerNative('Mean', reduction(1, 'axis'));
  registerNative('Max', reduction(2, 'reductionIndices'));
  registerNative('Tile', tile);
  registerNative('Transpose', transpose);
  registerNative('Slice', slice);
  registerNative('SplitV', splitV);
  registerNative('Concat', concat);
  registerNative('FusedBatchNorm', fusedBatchNorm);
}
