import { describe, expect, it } from 'vitest';
import { VALID, clone } from './testing/valid-messages.js';
import { LIMITS } from './limits.js';
import { MESSAGE_KINDS, parseMessage, parseMessageOrThrow, ProtocolError } from './messages.js';

function refused(kind: string, data: unknown): ProtocolError {
  const r = parseMessage(kind, data);
  if (r.ok) throw new Error(`expected ${kind} to be refused`);
  return r.error;
}

describe('parseMessage', () => {
  it.each(MESSAGE_KINDS)('accepts a valid %s and survives a JSON round trip', (kind) => {
    const r = parseMessage(kind, VALID[kind]);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
    if (!r.ok || kind === 'tensor.chunk') return;
    // What is sent is what is parsed back.
    const again = parseMessage(kind, JSON.parse(JSON.stringify(r.value)));
    expect(again.ok && again.value).toEqual(r.value);
  });

  it('refuses an unknown kind, naming the known ones', () => {
    const e = refused('fit.reslut', {});
    expect(e.code).toBe('unknown_kind');
    expect(e.message).toContain('unknown message kind');
    expect(e.message).toContain('fit.result');
  });

  it('refuses a non-object with a clear error', () => {
    const e = refused('heartbeat', 'hello');
    expect(e.field).toBe('');
    expect(e.message).toMatch(/^heartbeat: message: .*object/i);
  });

  it('names a missing nested field', () => {
    const m = clone(VALID['round.start']) as { config: Record<string, unknown> };
    delete m.config.lr;
    const e = refused('round.start', m);
    expect(e.field).toBe('config.lr');
    expect(e.message).toContain("field 'config.lr'");
  });

  it('names an unknown field', () => {
    const e = refused('heartbeat', { ...(VALID.heartbeat as object), pixels: [1, 2, 3] });
    expect(e.field).toBe('pixels');
    expect(e.reason).toContain('unknown field');
  });

  it('names a wrongly typed field deep inside the evaluation', () => {
    const m = clone(VALID['evaluate.result']) as { evaluation: { splits: { test: { patient: { auc: unknown } } } } };
    m.evaluation.splits.test.patient.auc = 1.5;
    const e = refused('evaluate.result', m);
    expect(e.field).toBe('evaluation.splits.test.patient.auc');
    expect(e.reason).toMatch(/<=\s*1/);
  });

  it('refuses non-finite numbers', () => {
    const e = refused('fit.result', { ...(VALID['fit.result'] as object), metrics: { train_loss: Number.NaN } });
    expect(e.field).toBe('metrics.train_loss');
  });

  it('refuses an oversized string as too_large, naming it', () => {
    const e = refused('round.dropout', { ...(VALID['round.dropout'] as object), reason: 'x'.repeat(LIMITS.text + 1) });
    expect(e.field).toBe('reason');
    expect(e.code).toBe('too_large');
    expect(e.reason).toContain(`max ${LIMITS.text}`);
  });

  it('refuses an oversized array as too_large, naming it', () => {
    const cohort = Array.from({ length: LIMITS.sites + 1 }, (_, i) => `s${i}`);
    const e = refused('round.train', { ...(VALID['round.train'] as object), cohort });
    expect(e.field).toBe('cohort');
    expect(e.code).toBe('too_large');
  });

  it('refuses too many metrics and over-long identifiers', () => {
    const metrics = Object.fromEntries(Array.from({ length: LIMITS.metrics + 1 }, (_, i) => [`m${i}`, i]));
    expect(refused('fit.result', { ...(VALID['fit.result'] as object), metrics }).field).toBe('metrics');
    const e = refused('auth.hello', { ...(VALID['auth.hello'] as object), site_id: 'a'.repeat(LIMITS.id + 1) });
    expect(e.field).toBe('site_id');
    expect(e.code).toBe('too_large');
  });

  it('refuses an oversized binary payload', () => {
    const e = refused('tensor.chunk', { ...(VALID['tensor.chunk'] as object), payload: new Uint8Array(LIMITS.chunkBytes + 1) });
    expect(e.field).toBe('payload');
    expect(e.reason).toContain('payload too large');
  });

  it('accepts an ArrayBuffer payload (browser socket.io) as a Uint8Array', () => {
    const m = parseMessageOrThrow('tensor.chunk', { ...(VALID['tensor.chunk'] as object), payload: new Uint8Array([0]).buffer });
    expect(m.payload).toBeInstanceOf(Uint8Array);
    expect(Array.from(m.payload)).toEqual([0]);
  });

  it('refuses a chunk whose index is not below its count', () => {
    expect(refused('tensor.chunk', { ...(VALID['tensor.chunk'] as object), index: 1 }).field).toBe('index');
  });

  it('checks key and signature lengths', () => {
    const short = Buffer.alloc(31).toString('base64');
    expect(refused('enroll.request', { ...(VALID['enroll.request'] as object), public_key: short }).reason).toContain('32 bytes');
    expect(refused('auth.response', { ...(VALID['auth.response'] as object), signature: Buffer.alloc(65).toString('base64') }).field).toBe('signature');
  });

  it('refuses a challenge that expires before it is issued', () => {
    expect(refused('auth.challenge', { ...(VALID['auth.challenge'] as object), expires_at: 1000 }).field).toBe('expires_at');
  });

  it('refuses a declined round without a reason', () => {
    expect(refused('round.ready', { ...(VALID['round.ready'] as object), accepted: false }).field).toBe('reason');
  });

  it('refuses an unknown update mode, naming the discriminator', () => {
    const e = refused('fit.result', { ...(VALID['fit.result'] as object), update: { mode: 'pixels' } });
    expect(e.field).toBe('update.mode');
  });

  it('refuses a manifest whose byte count disagrees with its shapes, and duplicate names', () => {
    const m = clone(VALID['round.start']) as { model: { manifest: { total_bytes: number; tensors: { name: string }[] } } };
    m.model.manifest.total_bytes = 40;
    expect(refused('round.start', m).field).toBe('model.manifest.total_bytes');
    m.model.manifest.total_bytes = 36;
    m.model.manifest.tensors[1].name = 'dense/kernel';
    const e = refused('round.start', m);
    expect(e.field).toBe('model.manifest.tensors.1.name');
    expect(e.reason).toContain('duplicate');
  });

  it('turns a ProtocolError into a valid error message', () => {
    const e = refused('heartbeat', { seq: -1, sent_at: 0, status: 'idle' });
    expect(parseMessage('error', e.toWire()).ok).toBe(true);
    expect(e.toWire()).toMatchObject({ code: 'bad_message', kind: 'heartbeat', field: 'seq' });
  });

  it('refuses a round start whose manifest hash differs from model_hash', () => {
    const m = clone(VALID['round.start']) as { model_hash: string };
    m.model_hash = 'b'.repeat(64);
    expect(refused('round.start', m).field).toBe('model.manifest.model_hash');
  });

  it('refuses a run summary with an unknown dropout stage, naming the round and field', () => {
    const m = clone(VALID['run.summary']) as { rounds: { dropped: { stage: string }[] }[] };
    m.rounds[0].dropped[0].stage = 'masked-input';
    expect(refused('run.summary', m).field).toBe('rounds.0.dropped.0.stage');
  });

  it('refuses an evaluation split without metrics for its task', () => {
    const m = clone(VALID['evaluate.result']) as { evaluation: { task: string } };
    m.evaluation.task = 'segment';
    const e = refused('evaluate.result', m);
    expect(e.field).toBe('evaluation.splits.test.dice');
    expect(e.reason).toContain('a segment split needs dice');
  });

  it('parseMessageOrThrow throws the ProtocolError', () => {
    expect(() => parseMessageOrThrow('heartbeat', {})).toThrow(ProtocolError);
  });
});
