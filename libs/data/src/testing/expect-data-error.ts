/** Test helper: writes bytes to a fresh temp file, reads it, and expects a DataError naming that file and the reason. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readVolume } from '../read.js';
import { DataError } from '../volume.js';

export async function expectDataError(name: string, bytes: Uint8Array, reason: RegExp): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'unbox-bad-'));
  const p = join(tmp, name);
  try {
    await writeFile(p, bytes);
    const err = await readVolume(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(p);
    expect((err as DataError).message).toMatch(reason);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
