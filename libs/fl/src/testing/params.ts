import type { Tensor } from '../tensors.js';

/** A float32 tensor from plain numbers (test helper). */
export function t(name: string, values: number[], shape: number[] = [values.length]): Tensor {
  return { name, shape, data: Float32Array.from(values) };
}

/** The values of a named tensor as plain numbers (test helper). */
export function values(params: readonly Tensor[] | null, name: string): number[] {
  const found = params?.find((p) => p.name === name);
  if (!found) throw new Error(`no tensor '${name}'`);
  return Array.from(found.data);
}
