/**
 * Adam on the native engine: tfjs' AdamOptimizer runs ~14 small kernels per variable per step
 * (each with its own tensor bookkeeping); here one native kernel per variable computes the same
 * arithmetic, m' = β1·m + (1−β1)·g, v' = β2·v + (1−β2)·g², θ' = θ − lr·(m'/c1)/(√(v'/c2) + ε)
 * with c = 1 − β^t. Optimizer state (moments named `<var>/m`, `<var>/v`, accBeta1/2, iterations)
 * stays tfjs', so saving and resuming are unchanged; other backends run tfjs' code.
 */
import * as tf from '@tensorflow/tfjs';
import { NATIVE_BACKEND, output, registeredClass, registerNativeOnly, values, type KernelArgs } from './native-backend.js';

export const ADAM = 'UnboxAdam';

function adamKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const [value, grad, m, v] = (['value', 'grad', 'm', 'v'] as const).map((k) => {
    const a = values(backend, inputs[k]);
    if (!a) throw new Error(`${ADAM}: ${k} must be float32`);
    return a;
  });
  const a = attrs as { lr: number; beta1: number; beta2: number; epsilon: number; c1: number; c2: number };
  const shape = inputs.value.shape;
  const nv = output(backend, shape), nm = output(backend, shape), nvv = output(backend, shape);
  backend.addon.adam(value, grad, m, v, nv.data, nm.data, nvv.data, a.lr, a.beta1, a.beta2, a.epsilon, a.c1, a.c2);
  return [nv.info, nm.info, nvv.info];
}

/** The runtime fields of tfjs' AdamOptimizer that applyGradients uses. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}
type ApplyFn = (this: AdamState, grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]) => void;

let patched = false;

export function accelerateAdam(): void {
  if (patched) return;
  registerNativeOnly(ADAM, adamKernel);
  const proto = registeredClass('Adam').prototype as { applyGradients: ApplyFn };
  const original = proto.applyGradients;
  proto.applyGradients = function (this: AdamState, variableGradients) {
    const list = Array.isArray(variableGradients) ? variableGradients : null;
    const names = list ? list.map((g) => g.name) : Object.keys(variableGradients);
    const gradOf = (i: number, name: string) => (list ? list[i].tensor : (variableGradients as tf.NamedTensorMap)[name]);
    const native = tf.getBackend() === NATIVE_BACKEND && names.every((name, i) => {
      const g = gradOf(i, name);
      return tf.engine().registeredVariables[name]?.dtype === 'float32' && (g == null || g.dtype === 'float32');
    });
    if (!native) return original.call(this, variableGradients);
    // Same float32 rounding of the bias corrections as tfjs' sub(1, accBeta).
    const c1 = Math.fround(1 - this.accBeta1.dataSync()[0]), c2 = Math.fround(1 - this.accBeta2.dataSync()[0]);
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        this.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        this.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const grad = gradOf(i, name);
        if (grad == null) return;
        const m = this.accumulatedFirstMoment[i]!.variable, v = this.accumulatedSecondMoment[i]!.variable;
        const [nv, nm, nvv] = tf.engine().runKernel(ADAM, { value, grad, m, v },
          { lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, c1, c2 }) as tf.Tensor[];
        m.assign(nm);
        v.assign(nvv);
        value.assign(nv);
      });
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  };
  patched = true;
}
