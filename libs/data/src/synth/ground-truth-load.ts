/** Reading a centre's `ground-truth.json` (for explanation evaluation and thin-slice Dice). */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataError } from '../volume.js';
import { GroundTruthIndex } from './ground-truth.js';

export interface LoadedGroundTruth extends GroundTruthIndex {
  /** absolute folder that relative mask paths resolve against */
  dir: string;
}

export async function loadGroundTruthIndex(path: string): Promise<LoadedGroundTruth> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DataError(path, `cannot read ground-truth index: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DataError(path, `not JSON: ${(e as Error).message}`);
  }
  const r = GroundTruthIndex.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DataError(path, `invalid ground-truth index at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { ...r.data, dir: resolve(dirname(path)) };
}

/** Absolute path of a mask named in the index. */
export function groundTruthPath(index: LoadedGroundTruth, mask: string): string {
  return resolve(index.dir, mask);
}
