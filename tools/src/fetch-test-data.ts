/**
 * `npm run test-data`: fetch the real DICOM/NIfTI files the reader tests use (Debian packages
 * python3-pydicom and python3-nibabel), make the extra encodings with DCMTK/GDCM and compute the
 * reference values (see libs/data/src/testing/make_reference.py). The tests do the same on their
 * own when the cache is missing; this script also installs the Debian tools when run as root.
 *   --install   apt-get install the missing Debian packages (root only)
 *   --force     rebuild even if the cache is current
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ensureTestData, loadReferenceIndex, missingPrerequisites, testDataDir, TEST_DATA_APT_PACKAGES } from '@unbox/data';

const args = new Set(process.argv.slice(2));
const log = (s: string) => process.stderr.write(`[test-data] ${s}\n`);

const missing = await missingPrerequisites();
if (missing.length) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (args.has('--install') && root) {
    log(`installing ${TEST_DATA_APT_PACKAGES.join(' ')}`);
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...TEST_DATA_APT_PACKAGES], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    log(`missing: ${missing.join(', ')}`);
    log(`install with: ${root ? '' : 'sudo '}apt-get install ${TEST_DATA_APT_PACKAGES.join(' ')}  (or rerun with --install as root)`);
    process.exit(1);
  }
}
if (args.has('--force')) rmSync(testDataDir(), { recursive: true, force: true });
try {
  const dir = await ensureTestData(log);
  const index = await loadReferenceIndex(dir);
  const kinds = new Map<string, number>();
  for (const c of index.cases) kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
  log(`${dir}: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')} (pydicom ${index.pydicom}, numpy ${index.numpy}, nibabel ${index.nibabel})`);
} catch (e) {
  log((e as Error).message);
  process.exit(1);
}
