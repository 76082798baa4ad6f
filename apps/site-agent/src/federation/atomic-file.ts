/** A site-state file written whole or not at all: a temporary file beside it, then a rename. */
import { renameSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
