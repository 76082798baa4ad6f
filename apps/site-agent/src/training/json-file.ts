/** Result files written whole or not at all (temporary + rename), NaN written as null. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { toJsonText } from '@unbox/models';

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, toJsonText(value) + '\n');
  await rename(`${path}.tmp`, path);
}
