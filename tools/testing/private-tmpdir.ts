/**
 * vitest globalSetup: gives one test run its own temporary folder (TMPDIR, inherited by the test
 * workers and by every process the tests spawn) and removes it afterwards, so the site folders,
 * coordinator databases and consortia that tests create never pile up in the system's /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'unbox-test-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
