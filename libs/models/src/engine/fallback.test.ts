import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('without the addon registerEngine() returns null, says why, and tfjs keeps working on its own backends', () => {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const script = `
    const tf = await import('@tensorflow/tfjs');
    const e = await import(${JSON.stringify(index)});
    const got = await e.registerEngine();
    await tf.setBackend('cpu');
    const sum = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync();
    console.log(JSON.stringify({ got, status: e.engineStatus(), backend: tf.getBackend(), sum: Array.from(sum) }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, UNBOX_ENGINE_ADDON: '/nonexistent/unbox_engine.node' }, encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)),
  });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { got: unknown; status: { available: boolean; detail: string }; backend: string; sum: number[] };
  expect(out.got).toBeNull();
  expect(out.status.available).toBe(false);
  expect(out.status.detail).toContain('/nonexistent/unbox_engine.node not built');
  expect(out.backend).toBe('cpu');
  expect(out.sum).toEqual([4, 6]);
});
