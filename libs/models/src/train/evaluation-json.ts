/**
 * The evaluation JSON of notes/result-formats.md: task, backend, splits, plus the provenance
 * every result carries (seed, config, versions, created). NaN (undefined metric) becomes null.
 */
import type { BackendInfo } from '../backend/select.js';

export interface EvaluationJson {
  task: 'classify' | 'segment';
  backend: string;
  threads: number;
  seed: number;
  config: unknown;
  versions: BackendInfo['versions'];
  created: string;
  splits: Record<string, unknown>;
}

export function evaluationJson(task: EvaluationJson['task'], backend: BackendInfo, seed: number, config: unknown, splits: Record<string, unknown>, now = new Date()): EvaluationJson {
  return { task, backend: backend.backend, threads: backend.threads, seed, config, versions: backend.versions, created: now.toISOString(), splits };
}

/** JSON text with NaN/±Infinity written as null (JSON has no NaN). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}
