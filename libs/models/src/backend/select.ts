/**
 * Backend choice at start-up (ARCHITECTURE.md, Compute): tfjs-node-gpu / tfjs-node where
 * installed, else the project's native engine (./engine, when present and usable), else wasm,
 * else cpu. UNBOX_BACKEND forces one. The returned record goes into every result file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-training-kernels.js';
import { versions, type Versions } from './versions.js';
import { registerTrainingGradients } from './batchnorm-grad.js';

export interface BackendInfo {
  backend: string;
  threads: number;
  versions: Versions;
}

export const BACKEND_CHOICES = ['tensorflow', 'engine', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

type Attempt = () => Promise<{ backend: string; threads: number } | null>;

async function tryTfjsNode(): Promise<{ backend: string; threads: number } | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* @vite-ignore */ pkg);
    } catch {
      continue; // not installed: optional by design
    }
    if (await tf.setBackend('tensorflow')) return { backend: 'tensorflow', threads: 0 };
  }
  return null;
}

/** The engine helper's module, when built: src/engine/index.ts (dev) or index.js (compiled). */
export function engineModuleUrl(): string | null {
  for (const name of ['index.ts', 'index.js']) {
    const path = fileURLToPath(new URL(`../engine/${name}`, import.meta.url));
    if (existsSync(path)) return pathToFileURL(path).href;
  }
  return null;
}

async function tryEngine(): Promise<{ backend: string; threads: number } | null> {
  const url = engineModuleUrl();
  if (!url) return null;
  const mod = (await import(/* @vite-ignore */ url)) as { registerEngine?: () => Promise<{ backend: string; threads: number } | null> };
  if (typeof mod.registerEngine !== 'function') return null;
  const got = await mod.registerEngine();
  if (!got) return null;
  if (!(await tf.setBackend(got.backend))) return null;
  return got;
}

async function tryWasm(): Promise<{ backend: string; threads: number } | null> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  // Node has no wasm threads in tfjs 4.22 (measured; see shared notes): one thread.
  return (await tf.setBackend('wasm')) ? { backend: 'wasm', threads: 1 } : null;
}

async function tryCpu(): Promise<{ backend: string; threads: number } | null> {
  return (await tf.setBackend('cpu')) ? { backend: 'cpu', threads: 1 } : null;
}

const ATTEMPTS: Record<BackendChoice, Attempt> = { tensorflow: tryTfjsNode, engine: tryEngine, wasm: tryWasm, cpu: tryCpu };

let chosen: BackendInfo | null = null;

/**
 * Chooses and activates the backend. `force` (or env UNBOX_BACKEND) names one of BACKEND_CHOICES;
 * a forced backend that cannot start is an error, never a silent fallback.
 */
export async function selectBackend(force: string | undefined = process.env.UNBOX_BACKEND): Promise<BackendInfo> {
  const wanted = force?.trim() || undefined;
  if (wanted !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(wanted)) {
    throw new Error(`UNBOX_BACKEND=${wanted}: unknown backend; expected one of ${BACKEND_CHOICES.join(', ')}`);
  }
  const order: BackendChoice[] = wanted ? [wanted as BackendChoice] : [...BACKEND_CHOICES];
  // PROD silences tfjs' console banners ("install our node backend"), which would break
  // --log-format json; the backend actually chosen is logged and recorded by us instead.
  tf.env().set('PROD', true);
  registerTrainingGradients();
  for (const name of order) {
    let got: { backend: string; threads: number } | null;
    try {
      got = await ATTEMPTS[name]();
    } catch (err) {
      if (wanted) throw new Error(`UNBOX_BACKEND=${wanted}: backend failed to start: ${(err as Error).message}`);
      got = null;
    }
    if (got) {
      await tf.ready();
      chosen = { ...got, versions: versions() };
      return chosen;
    }
    if (wanted) throw new Error(`UNBOX_BACKEND=${wanted}: backend is not available on this machine`);
  }
  throw new Error('no tfjs backend could start (tried tensorflow, engine, wasm, cpu)');
}

/** The record of the active backend (selectBackend must have run). */
export function backendInfo(): BackendInfo {
  if (!chosen || chosen.backend !== tf.getBackend()) {
    return { backend: tf.getBackend(), threads: 1, versions: versions() };
  }
  return chosen;
}
