/**
 * Feature tables for the built-in logistic trainer (`unbox-site join --features <csv>`): a header
 * `split,label,<feature>...`, then one row per case: split train|val|test, label 0|1, numbers.
 * Bad rows are refused with their line number; nothing of this file is ever sent.
 */
import { readFileSync } from 'node:fs';
import type { Dataset, SplitData } from './logistic-trainer.js';

export class FeaturesError extends Error {
  override readonly name = 'FeaturesError';
}

export function readFeaturesCsv(path: string): SplitData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FeaturesError(`${path}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header[0] !== 'split' || header[1] !== 'label' || header.length < 3) throw new FeaturesError(`${path}: line 1: expected a header 'split,label,<feature>...'`);
  const d = header.length - 2;
  const rows: Record<string, { x: number[]; y: number[] }> = { train: { x: [], y: [] }, val: { x: [], y: [] }, test: { x: [], y: [] } };
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',').map((c) => c.trim());
    const at = `${path}: line ${i + 2}`;
    if (cells.length !== header.length) throw new FeaturesError(`${at}: ${cells.length} values, the header has ${header.length}`);
    const split = rows[cells[0]];
    if (!split) throw new FeaturesError(`${at}: split '${cells[0]}' is not train, val or test`);
    if (cells[1] !== '0' && cells[1] !== '1') throw new FeaturesError(`${at}: label '${cells[1]}' is not 0 or 1`);
    const x = cells.slice(2).map(Number);
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new FeaturesError(`${at}: feature '${header[bad + 2]}' is not a finite number`);
    split.x.push(...x);
    split.y.push(Number(cells[1]));
  });
  const ds = (s: { x: number[]; y: number[] }): Dataset => ({ x: Float32Array.from(s.x), y: Uint8Array.from(s.y), d });
  if (rows.train.y.length === 0) throw new FeaturesError(`${path}: no train rows`);
  return { train: ds(rows.train), ...(rows.val.y.length ? { val: ds(rows.val) } : {}), ...(rows.test.y.length ? { test: ds(rows.test) } : {}) };
}
