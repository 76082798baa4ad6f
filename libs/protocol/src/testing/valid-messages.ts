/** Test fixtures: one valid example of every message kind (wire form, before defaults). */
import type { MessageKind } from '../messages.js';

const hash = 'a'.repeat(64);
const key32 = Buffer.alloc(32, 7).toString('base64');
const sig64 = Buffer.alloc(64, 9).toString('base64');
const manifest = { dtype: 'float32', tensors: [{ name: 'dense/kernel', shape: [2, 3] }, { name: 'dense/bias', shape: [3] }], total_bytes: 36, model_hash: hash };
const evaluation = {
  task: 'classify',
  backend: 'wasm',
  splits: {
    test: {
      centre: 'C',
      patient: { n: 40, acc: 0.9, precision: 0.9, sensitivity: 0.9, specificity: 0.9, auc: 0.95, roc: [[0, 0], [0.1, 0.8], [1, 1]], pr: [[0, 1], [0.8, 0.9], [1, 0.5]] },
      image: { n: 1200, acc: 0.8, precision: 0.8, sensitivity: 0.8, specificity: 0.8, auc: 0.86 },
    },
  },
};

export const VALID: Record<MessageKind, unknown> = {
  'enroll.request': { token: 'tok_' + 'x'.repeat(40), public_key: key32, agent_version: '0.1.0' },
  'enroll.response': { site_id: 'A', coordinator_key: key32, enrolled_at: 1_700_000_000_000 },
  'auth.hello': { site_id: 'A', protocol: 1, agent_version: '0.1.0' },
  'auth.challenge': { coordinator: 'coord-1', nonce: key32, issued_at: 1000, expires_at: 31_000 },
  'auth.response': { site_id: 'A', nonce: key32, signature: sig64 },
  'auth.result': { ok: true, session: 's-1' },
  'run.config': { version: 1, task: 'classify', model: 'classifier', rounds: 5, strategy: { name: 'fedavg' }, train: { batch_size: 8, lr: 0.001 } },
  'round.start': {
    run_id: 'r-1', round: 1, task: 'classify', model_hash: hash, model: { transfer_id: 't-1', manifest },
    config: { server_round: 1, local_epochs: 1, batch_size: 8, lr: 0.001 }, secure_aggregation: true, deadline: 5000,
  },
  'round.ready': { run_id: 'r-1', round: 1, site_id: 'A', model_hash: hash, accepted: true },
  'round.train': { run_id: 'r-1', round: 1, cohort: ['A', 'B'], deadline: 9000 },
  'fit.result': { run_id: 'r-1', round: 1, site_id: 'A', model_hash: hash, num_examples: 120, metrics: { train_loss: 0.3 }, duration_s: 12.5, update: { mode: 'secure' } },
  'evaluate.request': { run_id: 'r-1', round: 1, model_hash: hash, model: { transfer_id: 't-2', manifest }, splits: ['val', 'test'], deadline: 9000 },
  'evaluate.result': { run_id: 'r-1', round: 1, site_id: 'C', model_hash: hash, num_examples: 40, loss: 0.2, evaluation },
  'round.dropout': { run_id: 'r-1', round: 1, site_id: 'C', stage: 'masked_input', reason: 'disconnected' },
  'round.end': { run_id: 'r-1', round: 1, status: 'done', model_hash: hash, sites: ['A', 'B'] },
  'tensor.chunk': { transfer_id: 't-1', index: 0, count: 1, hash: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', payload: new Uint8Array([0]) },
  heartbeat: { seq: 3, sent_at: 1000, status: 'idle' },
  error: { code: 'bad_message', message: 'fit.result: field x: bad' },
  'site.add': { site_id: 'D', name: 'Centre D' },
  'site.added': { site_id: 'D', token: 'x'.repeat(43), expires_at: 2_000 },
  'site.list': { sites: [{ site_id: 'A', status: 'enrolled', public_key: key32, enrolled_at: 1, last_seen: 2, connected: true }, { site_id: 'D', status: 'pending', connected: false }] },
  'site.revoke': { site_id: 'A', reason: 'key compromised' },
  'run.control': { run_id: 'r-1', action: 'pause' },
  'run.summary': {
    run: 'r-1', task: 'classify', strategy: 'fedavg', secure_aggregation: true, backend: 'wasm',
    rounds: [{ round: 1, cohort: ['A', 'B', 'C', 'D'], dropped: [{ site: 'C', stage: 'masked_input' }], wall_s: 42, metrics: { A: evaluation.splits, B: evaluation.splits } }],
  },
  'run.rounds': {
    run_id: 'r-1',
    rounds: [{
      round: 1, attempt: 2, attempts: 2, status: 'done', phase: 'done', started_at: 1000, ended_at: 43_000, wall_ms: 42_000, cohort: ['A', 'B', 'C'],
      dropouts: [{ site: 'C', stage: 'masked_input', reason: 'disconnected' }], metrics: { A: evaluation.splits }, model_hash: hash, failure: null, tsne: true,
    }],
  },
  'round.tsne': {
    run_id: 'r-1', round: 1, points: [{ x: 0.5, y: -1, centre: 'A', label: 'positive' }, { x: 2, y: 1, centre: 'B', label: 'negative' }],
    kl: 0.4, trustworthiness: 0.93, trustworthiness_k: 5, perplexity: 30, n: 2, dim: 64, noise_sigma: 0.1, noise_sigma_by_centre: { A: 0.1, B: 0 },
    unit: 'patient', method: 'exact', n_iter: 1000,
    centre_separation: { embedding: { silhouette: 0.3, knn_agreement: 0.8, knn_chance: 0.5, k: 1 }, features: { silhouette: null, knn_agreement: null, knn_chance: null, k: null } },
    seconds: 0.7, created_at: 50_000,
  },
  'model.versions': { versions: [{ run_id: 'r-1', round: 0, model_hash: hash, strategy: 'fedadam', created: '2026-11-26T14:00:00Z', bytes: 36 }] },
};

export function clone<T>(v: T): T {
  return structuredClone(v);
}
