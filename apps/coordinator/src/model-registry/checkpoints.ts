/**
 * Model versions on disk: `<dataDir>/checkpoints/<run>/round-<n>/` holds `manifest.json` (the
 * protocol's TensorManifest, with the model hash) and `weights.bin` (float32 little-endian, tensors
 * in manifest order: the byte layout of a tfjs weights file), plus `state.json`/`state.bin` for a
 * server optimiser's moments. Files are written to a temporary folder and renamed, so a crash never
 * leaves a half-written version under its final name.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeParameters, encodeParameters, type Parameters, type StrategyState, type Tensor } from '@unbox/fl';
import { TensorManifest, StrategyNameSchema } from '@unbox/protocol';
import { z } from 'zod';

const StateFile = z.strictObject({ strategy: StrategyNameSchema, manifest: TensorManifest });

export interface SavedVersion {
  path: string;
  modelHash: string;
  bytes: number;
}

export class Checkpoints {
  constructor(readonly root: string) {}

  folder(run: string, round: number): string {
    return join(this.root, run, `round-${round}`);
  }

  async save(run: string, round: number, params: Parameters, state: StrategyState | null): Promise<SavedVersion> {
    const final = this.folder(run, round);
    const tmp = `${final}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    const { manifest, bytes } = encodeParameters(params);
    await writeFile(join(tmp, 'weights.bin'), bytes);
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 1));
    if (state && state.tensors.length > 0) {
      const s = encodeParameters(state.tensors);
      await writeFile(join(tmp, 'state.bin'), s.bytes);
      await writeFile(join(tmp, 'state.json'), JSON.stringify({ strategy: state.strategy, manifest: s.manifest }));
    }
    // a leftover of an interrupted earlier save of this very round is replaced
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    return { path: final, modelHash: manifest.model_hash, bytes: bytes.byteLength };
  }

  /** Loads a version and checks its hash; throws naming the file on any mismatch. */
  async load(path: string): Promise<{ params: Tensor[]; state: StrategyState | null }> {
    const manifestPath = join(path, 'manifest.json');
    const parsed = TensorManifest.safeParse(JSON.parse(await readFile(manifestPath, 'utf8')));
    if (!parsed.success) throw new Error(`${manifestPath}: not a tensor manifest (${parsed.error.issues[0].message})`);
    const bytes = new Uint8Array(await readFile(join(path, 'weights.bin')));
    let params: Tensor[];
    try {
      params = decodeParameters(parsed.data, bytes);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`);
    }
    let state: StrategyState | null = null;
    try {
      const sj = StateFile.parse(JSON.parse(await readFile(join(path, 'state.json'), 'utf8')));
      const sb = new Uint8Array(await readFile(join(path, 'state.bin')));
      state = { strategy: sj.strategy, tensors: decodeParameters(sj.manifest, sb) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: strategy state unreadable: ${(e as Error).message}`);
    }
    return { params, state };
  }
}
