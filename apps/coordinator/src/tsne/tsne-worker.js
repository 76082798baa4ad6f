// Worker thread entry of the consortium t-SNE (tsne-service.ts): plain JavaScript that registers
// tsx's loader, so the TypeScript computation runs the same under `unbox-coordinator`, tsx and vitest.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { consortiumTsne } = await import('./consortium-tsne.ts');

parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ id: job.id, ok: true, value: consortiumTsne(job.run, job.round, job.sites, job.now) });
  } catch (e) {
    parentPort.postMessage({ id: job.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort.postMessage({ ready: true });
