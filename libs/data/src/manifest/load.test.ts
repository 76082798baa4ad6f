import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from './load.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unbox-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadManifest (rows only, no image reads)', () => {
  it('returns valid entries with absolute paths and the invalid rows, without touching the files', async () => {
    const file = join(dir, 'centre-e.csv');
    await writeFile(file, 'patient,task,label,modality,slice_thickness,split,paths\nE1,classify,CP,CT,5,train,does/not/exist\nE2,classify,Flu,CT,5,train,x\n');
    const m = await loadManifest(file);
    expect(m.manifest).toEqual({ path: file, format: 'csv', centre: 'centre-e' });
    expect(m.entries).toEqual([{ row: 1, line: 2, entry: expect.objectContaining({ patient: 'E1', paths: [join(dir, 'does/not/exist')] }) }]);
    expect(m.bad).toEqual([{ row: 2, line: 3, patient: 'E2', kind: 'unknown-label', reason: 'unknown label "Flu" (expected one of NCP, CP, Normal)' }]);
  });
});
