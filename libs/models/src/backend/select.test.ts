import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { engineModuleUrl, selectBackend } from './select.js';

describe('selectBackend', () => {
  it('rejects an unknown UNBOX_BACKEND with the accepted names', async () => {
    await expect(selectBackend('gpu')).rejects.toThrow(/UNBOX_BACKEND=gpu: unknown backend; expected one of tensorflow, engine, wasm, cpu/);
  });

  it('forced cpu and wasm start and are recorded with versions', async () => {
    const cpu = await selectBackend('cpu');
    expect(cpu).toMatchObject({ backend: 'cpu', threads: 1, versions: { tfjs: '4.22.0', node: process.versions.node } });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await selectBackend('wasm');
    expect(wasm.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('a forced backend that is not installed is an error, not a fallback', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(/UNBOX_BACKEND=tensorflow: backend is not available/);
  });

  it('automatic choice falls through to the first available (engine when built, else wasm)', async () => {
    const got = await selectBackend('');
    if (engineModuleUrl() === null) expect(got.backend).toBe('wasm');
    expect(tf.getBackend()).toBe(got.backend);
  });
});
