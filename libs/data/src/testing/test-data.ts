/**
 * Real DICOM and NIfTI test files and their independently computed reference values, fetched and
 * built on the machine that runs the tests (never committed): pydicom's and nibabel's test files
 * come from Debian packages (apt-get download + dpkg-deb -x), extra encodings are made with DCMTK
 * and GDCM, and make_reference.py decodes everything with DCMTK / GDCM / pydicom / nibabel.
 * Output lives in <repo>/.cache/test-data/v<N>/ (gitignored) and is reused while the generator is unchanged.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const GENERATOR = join(here, 'make_reference.py');
const VERSION = 1;

/** Debian packages the reader tests need (also listed in .ci/apt-packages.txt). */
export const TEST_DATA_APT_PACKAGES = ['dcmtk', 'libgdcm-tools', 'openjph-tools', 'python3-pydicom', 'python3-numpy', 'python3-nibabel'] as const;
const TOOLS = ['dcmdrle', 'dcmdjpeg', 'dcmdjpls', 'dcmcjpeg', 'dcmcjpls', 'dcmconv', 'dcmcrle', 'dcmquant', 'gdcmconv', 'ojph_compress', 'ojph_expand', 'dpkg-deb'];
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-pydicom/numpy/nibabel; not a pyenv one first on PATH

export function repoRoot(): string {
  return resolve(here, '../../../..');
}

export function testDataDir(): string {
  return join(repoRoot(), '.cache', 'test-data', `v${VERSION}`);
}

export interface ReferenceCase {
  name: string;
  kind: 'dicom-file' | 'dicom-series' | 'nifti';
  /** relative to testDataDir() */
  path: string;
  tool: string;
  shape: [number, number, number, number];
  tolerance: number;
  transferSyntax?: string;
  photometric?: string;
  modality?: string | null;
  spacing?: [number, number, number];
  sliceThickness?: number | null;
  files?: string[];
  orderedBy?: 'ImagePositionPatient' | 'InstanceNumber';
  affine?: number[];
  pixdim?: number[];
  note?: string;
}

export interface ReferenceIndex {
  version: number;
  pydicom: string;
  numpy: string;
  nibabel: string;
  cases: ReferenceCase[];
}

async function which(cmd: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

/** Names of missing tools / Python modules; empty when everything is there. */
export async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  for (const t of TOOLS) if (!(await which(t))) missing.push(t);
  if (!existsSync(PYTHON)) missing.push(PYTHON);
  else {
    try {
      await run(PYTHON, ['-c', 'import numpy, pydicom, nibabel']);
    } catch {
      missing.push('python modules numpy/pydicom/nibabel for /usr/bin/python3');
    }
  }
  return missing;
}

async function stamp(): Promise<string> {
  return createHash('sha256').update(await readFile(GENERATOR)).digest('hex');
}

/** The package's files under `root`: apt-get download + dpkg-deb -x; falls back to an installed copy. */
async function packageTree(pkg: string, work: string, installed: string, log: (s: string) => void): Promise<string> {
  const debs = join(work, 'debs');
  await mkdir(debs, { recursive: true });
  try {
    await run('apt-get', ['download', '-q', pkg], { cwd: debs });
    const deb = (await readdir(debs)).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download left no ${pkg}_*.deb`);
    const root = join(work, 'pkg', pkg);
    await mkdir(root, { recursive: true });
    await run('dpkg-deb', ['-x', join(debs, deb), root]);
    log(`extracted ${deb}`);
    return join(root, 'usr/lib/python3/dist-packages');
  } catch (e) {
    if (existsSync(installed)) {
      log(`apt-get download ${pkg} failed (${(e as Error).message.split('\n')[0]}); using the installed copy`);
      return '/usr/lib/python3/dist-packages';
    }
    throw new Error(`cannot fetch Debian package ${pkg}: ${(e as Error).message}`);
  }
}

/**
 * Make sure the test set exists; build it if not (about 10 s). Throws with what to install when a
 * tool is missing, so a test run fails loudly instead of passing without data.
 */
export async function ensureTestData(log: (s: string) => void = () => {}): Promise<string> {
  const dir = testDataDir();
  const want = await stamp();
  const current = async () => existsSync(join(dir, 'ref', 'index.json')) && (await readFile(join(dir, 'STAMP'), 'utf8').catch(() => '')) === want;
  if (await current()) return dir;
  // Parallel test runs (nx runs projects side by side) build it once: the first takes the lock.
  const lock = `${dir}.lock`;
  await mkdir(dirname(dir), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (await current()) return dir;
      const age = Date.now() - ((await stat(lock).catch(() => null))?.mtimeMs ?? Date.now());
      if (age > 300_000) await rm(lock, { recursive: true, force: true }); // left by a killed run
      else if (Date.now() - started > 300_000) throw new Error(`timed out waiting for ${lock} (another run building the test data)`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    if (!(await current())) await build(dir, want, log);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
  return dir;
}

async function build(dir: string, want: string, log: (s: string) => void): Promise<void> {
  const missing = await missingPrerequisites();
  if (missing.length) {
    throw new Error(
      `reader test data cannot be built: missing ${missing.join(', ')}. Install the Debian packages ` +
        `${TEST_DATA_APT_PACKAGES.join(' ')} (listed in .ci/apt-packages.txt; e.g. sudo apt-get install ${TEST_DATA_APT_PACKAGES.join(' ')}), then rerun.`,
    );
  }
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const pyd = await packageTree('python3-pydicom', tmp, '/usr/lib/python3/dist-packages/pydicom/data/test_files', log);
    const nib = await packageTree('python3-nibabel', tmp, '/usr/lib/python3/dist-packages/nibabel/tests/data', log);
    const { stdout } = await run(PYTHON, [GENERATOR, join(pyd, 'pydicom/data/test_files'), join(nib, 'nibabel/tests/data'), tmp], {
      maxBuffer: 1 << 24,
    });
    log(stdout.trim());
    await rm(join(tmp, 'debs'), { recursive: true, force: true });
    await rm(join(tmp, 'pkg'), { recursive: true, force: true });
    await writeFile(join(tmp, 'STAMP'), want);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    const err = e as Error & { stderr?: string };
    throw new Error(`building reader test data failed: ${err.message}${err.stderr ? `\n${err.stderr}` : ''}`);
  }
}

export async function loadReferenceIndex(dir = testDataDir()): Promise<ReferenceIndex> {
  return JSON.parse(await readFile(join(dir, 'ref', 'index.json'), 'utf8')) as ReferenceIndex;
}

/** Reference values of one case: little-endian float32, same layout as Volume.data. */
export async function readReference(name: string, dir = testDataDir()): Promise<Float32Array> {
  const b = await readFile(join(dir, 'ref', `${name}.f32`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
