/**
 * `unbox-site data synth --centres 4 --seed <n> --out <dir>`: a whole synthetic consortium (chest
 * CT for classification, head CT/MR for ventricle segmentation) in DICOM and NIfTI, one manifest
 * and one ground-truth index per centre, and a domain-shift report. Deterministic by seed.
 * Layout and choices: libs/data/src/synth/README.md.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SYNTH_OPTIONS, writeConsortium, type SynthOptions } from '@unbox/data';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';

const USER_FS_ERRORS = new Set(['EACCES', 'EPERM', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EROFS', 'ENOSPC', 'EDQUOT']);

function int(min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function fraction(v: string): number {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function splitFractions(v: string): [number, number, number] {
  const parts = v.split(',').map(Number);
  if (parts.length !== 3 || parts.some((p) => !(p >= 0)) || parts[0] + parts[1] + parts[2] <= 0) {
    throw new InvalidArgumentError('must be three non-negative numbers train,val,test (e.g. 0.7,0.15,0.15)');
  }
  return parts as [number, number, number];
}

interface Flags {
  out: string;
  centres: number;
  seed: number;
  size: number;
  chestPatients: number;
  chestSlices: number;
  chestCoverage: number;
  brainCtPatients: number;
  brainMrPatients: number;
  thinFraction: number;
  brainCoverage: number;
  split: [number, number, number];
  png?: boolean;
  force?: boolean;
  json?: boolean;
}

export function createDataSynthCommand(): Command {
  const d = DEFAULT_SYNTH_OPTIONS;
  return new Command('synth')
    .description('write a synthetic multi-centre consortium (DICOM chest/head CT, NIfTI head MR, manifests, ground truth)')
    .requiredOption('--out <dir>', 'output folder (must be empty, or hold a previous consortium with --force)')
    .option('--centres <n>', 'number of centres (A, B, ...)', int(1, 702), d.centres)
    .option('--seed <n>', 'random seed: same seed and options give byte-identical output', int(0, 0xffffffff), d.seed)
    .option('--size <px>', 'in-plane matrix (rows = columns)', int(16, 1024), d.size)
    .option('--chest-patients <n>', 'chest CT patients per centre', int(0, 100000), d.chestPatients)
    .option('--chest-slices <n>', 'mean chest slices per scan (centres vary 0.75..1.25x)', int(4, 1000), d.chestSlices)
    .option('--chest-coverage <mm>', 'chest z coverage; slice thickness = coverage / slices', positive, d.chestCoverageMm)
    .option('--brain-ct-patients <n>', 'head CT patients per centre', int(0, 100000), d.brainCtPatients)
    .option('--brain-mr-patients <n>', 'head MR patients per centre', int(0, 100000), d.brainMrPatients)
    .option('--thin-fraction <f>', 'fraction of head scans with thin (<= 1.5 mm) slices', fraction, d.thinFraction)
    .option('--brain-coverage <f>', 'head z coverage scale (1 = 84..100 mm; smaller = fewer slices)', positive, d.brainCoverage)
    .option('--split <train,val,test>', 'split fractions per centre', splitFractions, d.split)
    .option('--png', 'also write chest CT as lung-window PNG slices in the CC-CCII layout (<centre>/cc-ccii/<class>/<patient>/<scan>/)')
    .option('--force', 'replace a consortium previously written to --out')
    .option('--json', 'print the summary as JSON')
    .action(async (f: Flags, cmd: Command) => {
      const log = loggerFor(cmd);
      const options: SynthOptions = {
        seed: f.seed,
        centres: f.centres,
        size: f.size,
        chestPatients: f.chestPatients,
        chestSlices: f.chestSlices,
        chestCoverageMm: f.chestCoverage,
        brainCtPatients: f.brainCtPatients,
        brainMrPatients: f.brainMrPatients,
        thinFraction: f.thinFraction,
        brainCoverage: f.brainCoverage,
        ccciiPng: f.png ?? false,
        split: f.split,
      };
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      let lastCentre = '';
      let result;
      try {
        result = await writeConsortium(f.out, options, {
          force: f.force,
          onProgress: (p) => {
            if (p.centre !== lastCentre) log.info('generating centre', { centre: p.centre });
            lastCentre = p.centre;
            log.debug('patient written', { ...p });
          },
        });
      } catch (e) {
        // A folder the operator can fix (permissions, a file in the way, a full disk) is a user error;
        // DataError (folder not empty) already is one; anything else is a bug.
        const code = (e as NodeJS.ErrnoException).code;
        if (code && USER_FS_ERRORS.has(code)) throw new UserError(`cannot write the consortium: ${(e as Error).message}`);
        throw e;
      }
      const wall_s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const summary = {
        out: result.out,
        seed: options.seed,
        centres: result.centres.map((c) => ({ centre: c.centre, patients: c.patients, manifest: c.manifest, ground_truth: c.groundTruth })),
        files: result.files,
        bytes: result.bytes,
        wall_s: Math.round(wall_s * 100) / 100,
        cpu_s: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
        domain_shift: Object.fromEntries(Object.entries(result.domainShift).map(([k, r]) => [k, { between_w1: r.between_w1_mean, within_w1: r.within_w1_mean, ratio: r.w1_ratio }])),
      };
      if (f.json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return;
      }
      const lines = [`consortium written to ${result.out}: ${result.centres.length} centres, ${result.files} files, ${(result.bytes / 1e6).toFixed(1)} MB in ${summary.wall_s} s (cpu ${summary.cpu_s} s)`];
      for (const c of result.centres) lines.push(`  centre ${c.centre}: ${c.patients} patients  manifest ${c.manifest}`);
      for (const [k, r] of Object.entries(summary.domain_shift)) {
        lines.push(`  domain shift ${k}: between-centre W1 ${r.between_w1.toFixed(1)}, within-centre ${r.within_w1.toFixed(1)} (ratio ${r.ratio.toFixed(1)})`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}

/** The command as a value, as the site-agent program registers it (`unbox-site data synth`). */
export const dataSynthCommand: Command = createDataSynthCommand();
