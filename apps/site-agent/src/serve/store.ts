/**
 * The site's own explanation store: one folder per (model hash, patient, method parameters)
 * holding explanation.json and its PNGs, written by writeExplanation (explanation.json last, so
 * a folder with it is complete). Concurrent requests for the same key share one computation;
 * computations run one at a time (they use the whole CPU), each with a progress record.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeExplanation, type Explanation } from '../explain/run.js';
import { ExplanationJson, type ExplainParams } from '@unbox/protocol';

export interface Progress {
  done: number;
  total: number;
  what: string;
  started: string;
}

export type Lookup =
  | { status: 'done'; dir: string; json: ExplanationJson; text: string }
  | { status: 'computing'; progress: Progress }
  | { status: 'failed'; error: Error };

export function storeKey(modelHash: string, patient: string, params: ExplainParams): { key: string; dir: string } {
  const p = createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
  const safe = patient.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  const ph = createHash('sha256').update(patient).digest('hex').slice(0, 8);
  return { key: `${modelHash}/${patient}/${p}`, dir: join(modelHash, `${safe}-${ph}`, p) };
}

export class ExplanationStore {
  private readonly running = new Map<string, { promise: Promise<void>; progress: Progress }>();
  private readonly failed = new Map<string, Error>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {}

  /** The stored explanation, or null when absent or not valid against the schema (then recomputed). */
  async read(dir: string): Promise<{ json: ExplanationJson; text: string } | null> {
    const path = join(this.root, dir, 'explanation.json');
    if (!existsSync(path)) return null;
    const text = await readFile(path, 'utf8');
    try {
      const r = ExplanationJson.safeParse(JSON.parse(text));
      return r.success ? { json: r.data, text } : null;
    } catch {
      return null;
    }
  }

  /**
   * Stored → done; being computed → its progress; failed before → the error (once: the next
   * request retries); otherwise start computing (queued) and report progress.
   */
  async lookup(key: { key: string; dir: string }, compute: (onProgress: (done: number, total: number, what: string) => void) => Promise<Explanation>): Promise<Lookup> {
    const run = this.running.get(key.key);
    if (run) return { status: 'computing', progress: run.progress };
    const stored = await this.read(key.dir);
    if (stored) return { status: 'done', dir: join(this.root, key.dir), ...stored };
    const err = this.failed.get(key.key);
    if (err) {
      this.failed.delete(key.key);
      return { status: 'failed', error: err };
    }
    const progress: Progress = { done: 0, total: 0, what: 'queued', started: new Date().toISOString() };
    const promise = this.queue.then(async () => {
      progress.what = 'loading';
      const e = await compute((done, total, what) => Object.assign(progress, { done, total, what }));
      await writeExplanation(join(this.root, key.dir), e);
    }).catch((e: Error) => {
      this.failed.set(key.key, e);
    }).finally(() => {
      this.running.delete(key.key);
    });
    this.queue = promise;
    this.running.set(key.key, { promise, progress });
    return { status: 'computing', progress };
  }

  /** Resolves when the key's computation (if any) has finished. */
  async settled(key: string): Promise<void> {
    await this.running.get(key)?.promise;
  }
}
