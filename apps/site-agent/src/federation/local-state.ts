/**
 * The site's own tensors between restarts: the weights it trained last, which hold what a
 * strategy keeps at the site (FedBN's batch norm, SiloBN's statistics). Without them a restarted
 * site would fall back to its initial values, and SiloBN would keep those instead of the
 * statistics of its data. `<path>.json` is the tensor manifest (with the model hash), `<path>.bin`
 * the bytes; both are written atomically.
 */
import { existsSync, readFileSync } from 'node:fs';
import { decodeParameters, encodeParameters, sameShape, type Tensor } from '@unbox/fl';
import { TensorManifest } from '@unbox/protocol';
import { writeFileAtomic } from './atomic-file.js';

export function writeLocal(path: string, tensors: readonly Tensor[]): void {
  const { manifest, bytes } = encodeParameters(tensors);
  writeFileAtomic(`${path}.bin`, bytes);
  writeFileAtomic(`${path}.json`, JSON.stringify(manifest));
}

/**
 * The saved tensors when they are the network of `template` (same names and shapes); the
 * template otherwise, with the reason. A missing file is not a problem: a new site has none.
 */
export function readLocal(path: string, template: readonly Tensor[]): { tensors: Tensor[]; restored: boolean; problem?: string } {
  if (!existsSync(`${path}.json`) || !existsSync(`${path}.bin`)) return { tensors: [...template], restored: false };
  try {
    const manifest = TensorManifest.parse(JSON.parse(readFileSync(`${path}.json`, 'utf8')));
    // decodeParameters checks the bytes against the manifest's model hash
    const saved = decodeParameters(manifest, readFileSync(`${path}.bin`));
    const byName = new Map(saved.map((t) => [t.name, t]));
    if (saved.length !== template.length) throw new Error(`${saved.length} tensors saved, the site's network has ${template.length}`);
    const tensors = template.map((t) => {
      const s = byName.get(t.name);
      if (!s) throw new Error(`the saved tensors lack '${t.name}'`);
      if (!sameShape(s.shape, t.shape)) throw new Error(`'${t.name}' was saved with shape [${s.shape.join(', ')}], the site's network has [${t.shape.join(', ')}]`);
      return s;
    });
    return { tensors, restored: true };
  } catch (e) {
    return { tensors: [...template], restored: false, problem: `${path}: ${(e as Error).message}` };
  }
}
