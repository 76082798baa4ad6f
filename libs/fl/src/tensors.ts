import { FlError } from './errors.js';

/** One named float32 tensor of a model, row-major. */
export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A model's parameters (or part of them): named tensors, names unique. */
export type Parameters = readonly Tensor[];

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Canonical order: by name, UTF-16 code unit order (the order hashes and byte encodings use). */
export function canonicalOrder(params: Parameters): Tensor[] {
  return [...params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Throws an FlError naming the tensor if names repeat, shapes are invalid or sizes disagree. */
export function validateParameters(params: Parameters, what = 'parameters'): void {
  const seen = new Set<string>();
  for (const t of params) {
    if (typeof t.name !== 'string' || t.name.length === 0) throw new FlError(`${what}: a tensor has an empty name`);
    if (seen.has(t.name)) throw new FlError(`${what}: duplicate tensor '${t.name}'`);
    seen.add(t.name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new FlError(`${what}: tensor '${t.name}' has an invalid shape [${t.shape.join(', ')}]`);
    if (!(t.data instanceof Float32Array)) throw new FlError(`${what}: tensor '${t.name}' is not float32`);
    const n = elementCount(t.shape);
    if (t.data.length !== n)
      throw new FlError(`${what}: tensor '${t.name}' has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${n}`);
  }
}

export function byName<T extends { name: string }>(tensors: readonly T[]): Map<string, T> {
  return new Map(tensors.map((t) => [t.name, t]));
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function cloneParameters(params: Parameters): Tensor[] {
  return params.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.slice() }));
}

/** The tensors whose names pass `keep` (e.g. the shared, non-batch-norm part for FedBN). */
export function selectTensors(params: Parameters, keep: (name: string) => boolean): Tensor[] {
  return params.filter((t) => keep(t.name));
}

/** Case-insensitive regular expressions from name patterns; an invalid one is an FlError naming `what`. */
export function namePatterns(patterns: readonly string[], what: string): RegExp[] {
  return patterns.map((p) => {
    try {
      return new RegExp(p, 'i');
    } catch {
      throw new FlError(`${what}: '${p}' is not a valid regular expression`);
    }
  });
}

/**
 * What a site loads when a (possibly partial) global model arrives: every received tensor replaces
 * the local one of the same name and shape; tensors not received (FedBN's local ones) stay, and so
 * do local tensors whose names match `keepLocal` (SiloBN's batch-norm statistics), though received.
 */
export function applyReceived(local: Parameters, received: Parameters, keepLocal: readonly string[] = []): Tensor[] {
  const incoming = byName(received);
  const kept = namePatterns(keepLocal, 'keep_local');
  const localNames = new Set(local.map((t) => t.name));
  for (const t of received)
    if (!localNames.has(t.name)) throw new FlError(`received tensor '${t.name}' is not part of the local model`);
  return local.map((t) => {
    const r = incoming.get(t.name);
    if (!r) return t;
    if (!sameShape(r.shape, t.shape))
      throw new FlError(`received tensor '${t.name}' has shape [${r.shape.join(', ')}], the local model has [${t.shape.join(', ')}]`);
    if (kept.some((k) => k.test(t.name))) return t;
    return { name: t.name, shape: [...t.shape], data: r.data.slice() };
  });
}
