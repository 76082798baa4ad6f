/**
 * `npm run experiment -- classify [--quick]`: Table 2 on the synthetic consortium. One classifier per
 * mode (image-level, max-pool, SIM, SIM+NCM), same data, seed and step budget, trained with
 * `unbox-site train` on the train split of centres A, B, C and evaluated with `unbox-site eval` on
 * every patient of the unseen centre D (the paper tests on an external set). Patient- and image-level
 * metrics; image-level truth = slices inside an NCP patient's lesion run (ground truth, evaluation
 * only). Methods train `--jobs` at a time (default 2, one engine thread each unless UNBOX_THREADS
 * says otherwise). Writes results/classify.json and results/classify.md.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, TABLE2_MODES, type ClassificationSummary } from '@unbox/models';
import { withOverrides } from './args.js';
import { prepareExperiment } from './consortium.js';
import { pool } from './pool.js';
import { writeJson, writeResults } from './report.js';
import { progressLog, runSiteAgent } from './site-cli.js';

const log = (m: string) => process.stderr.write(`[classify] ${m}\n`);
const METRICS = ['n', 'acc', 'precision', 'sensitivity', 'specificity', 'auc'] as const;

type Summary = Omit<ClassificationSummary, 'roc' | 'pr'>;
interface AucPair { patient_auc: number; image_auc: number }
interface MonitorPoint { step: number; loss: number; train: AucPair; train_augmented: AucPair; heldout: Record<string, AucPair> }
interface EvalFile { backend: string; threads: number; versions: unknown; splits: Record<string, { patient: Summary; image: Summary }>; step_ms_median?: number; final_loss?: number; monitor?: MonitorPoint[] }

const pick = (s: Summary) => Object.fromEntries(METRICS.map((k) => [k, s[k] ?? Number.NaN]));

export async function main(argv: string[]): Promise<void> {
  const { args, size, t0, centres, generated_s, train, test, steps, work } = await prepareExperiment('classify', argv, log);
  const rows: Record<string, unknown>[] = [];
  const inDistribution: Record<string, unknown>[] = [];
  const perMode: Record<string, { train_s: number; step_ms_median?: number; final_loss?: number; monitor?: MonitorPoint[] }> = {};
  // the last monitor point per mode: train AUC (whole slice, augmented) vs held-out, i.e. the memorisation gap
  const gap: Record<string, unknown>[] = [];
  let unseen: EvalFile | null = null;
  // --jobs n (default 2, as segment): n methods train at once, one engine thread each; rows keep TABLE2_MODES order
  const jobs = args.jobs ?? 2;
  if (jobs > 1) process.env.UNBOX_THREADS ??= '1';
  const runMode = async (mode: (typeof TABLE2_MODES)[number]) => {
    const out = join(work, mode);
    await rm(out, { recursive: true, force: true });
    const config = withOverrides({
      task: 'classify', seed: args.seed, steps, checkpointEvery: Math.max(1, Math.ceil(steps / 4)), evalSplits: ['test'],
      patientsPerBatch: size.classify.patientsPerBatch, maxSlicesPerPatient: size.classify.maxSlicesPerPatient, model: { ...size.classify.model, mode },
    }, args.train);
    const cfgPath = join(work, `${mode}.config.json`);
    await writeJson(cfgPath, config);
    log(`${mode}: training on ${train.map((c) => c.centre).join(', ')}`);
    const ts = performance.now();
    await runSiteAgent(['train', '--task', 'classify', '--manifest', ...train.map((c) => c.manifest), '--ground-truth', ...train.map((c) => c.groundTruth), '--config', cfgPath, '--out', out], progressLog(log, mode));
    const train_s = +((performance.now() - ts) / 1000).toFixed(1);
    await runSiteAgent(['eval', '--model', out, '--manifest', ...test.map((c) => c.manifest), '--ground-truth', ...test.map((c) => c.groundTruth), '--merge-splits', '--out', join(out, 'unseen.json')], progressLog(log, mode));
    const trained = JSON.parse(await readFile(join(out, 'evaluation.json'), 'utf8')) as EvalFile;
    const unseenFile = JSON.parse(await readFile(join(out, 'unseen.json'), 'utf8')) as EvalFile;
    const all = unseenFile.splits.all;
    const perModeRow = { train_s, step_ms_median: trained.step_ms_median, final_loss: trained.final_loss, monitor: trained.monitor };
    const last = trained.monitor?.at(-1);
    const gapRows = last
      ? [{
          method: mode, step: last.step, loss: last.loss, train_whole: last.train.patient_auc, train_augmented: last.train_augmented.patient_auc,
          heldout_test: last.heldout.test?.patient_auc ?? Number.NaN, unseen: all.patient.auc,
        }]
      : [];
    const levels = ['patient', 'image'] as const;
    const modeRows = levels.map((level) => ({ method: mode, level, ...pick(all[level]), train_s }));
    const test_ = trained.splits.test;
    const inRows = test_ ? levels.map((level) => ({ method: mode, level, ...pick(test_[level]) })) : [];
    log(`${mode}: unseen ${test[0].centre} patient AUC ${all.patient.auc?.toFixed(3)}, image AUC ${all.image.auc?.toFixed(3)}; ${train_s} s, median step ${trained.step_ms_median} ms`);
    return { mode, unseenFile, rows: modeRows, inDistribution: inRows, gap: gapRows, perMode: perModeRow };
  };
  for (const d of await pool(TABLE2_MODES, jobs, runMode)) {
    rows.push(...d.rows);
    inDistribution.push(...d.inDistribution);
    gap.push(...d.gap);
    perMode[d.mode] = d.perMode;
    unseen = d.unseenFile;
  }
  const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
  const json = {
    experiment: 'classify', command: `npm run experiment -- ${['classify', ...argv].join(' ')}`, train_centres: train.map((c) => c.centre), test_centres: test.map((c) => c.centre), wall_s,
    backend: unseen?.backend, threads: unseen?.threads, jobs, seed: args.seed, versions: unseen?.versions, created: new Date().toISOString(),
    config: { size: size.name, synth: size.synth, steps, patientsPerBatch: size.classify.patientsPerBatch, maxSlicesPerPatient: size.classify.maxSlicesPerPatient, model: size.classify.model, train_overrides: args.train ?? null },
    rows, in_distribution: { split: 'test', centres: train.map((c) => c.centre), rows: inDistribution }, memorisation: gap, per_mode: perMode, consortium_generated_s: generated_s, runs: work,
  };
  const md = [
    `# Table 2 on the synthetic consortium${args.quick ? ' (--quick)' : ''}`, '',
    `\`${json.command}\`: trained on the train split of centres ${json.train_centres.join(', ')}, tested on every patient of the unseen centre ${json.test_centres.join(', ')}; ` +
      `backend ${json.backend} (${json.threads} thread${json.threads === 1 ? '' : 's'}, ${jobs} method${jobs === 1 ? '' : 's'} at a time), seed ${args.seed}, ${steps} steps per method${args.train ? `, train config overrides ${JSON.stringify(args.train)}` : ''}, wall time ${wall_s} s, ${json.created}.`,
    'Image level: slices of NCP patients inside the lesion run are positive (ground truth, evaluation only). n/a: undefined (no positive predictions).', '',
    markdownTable(rows, ['method', 'level', 'n', 'acc', 'precision', 'sensitivity', 'specificity', 'auc', 'train_s']), '',
    `In distribution (test split of ${json.train_centres.join(', ')}):`, '',
    markdownTable(inDistribution, ['method', 'level', 'n', 'acc', 'precision', 'sensitivity', 'specificity', 'auc']), '',
    'Memorisation check, patient AUC at the last step: training patients in the evaluation view (whole slice) and in one fixed augmented view, ' +
      `the held-out test split of ${json.train_centres.join(', ')}, and the unseen centre; loss: mean training loss since the previous checkpoint.`, '',
    markdownTable(gap, ['method', 'step', 'loss', 'train_whole', 'train_augmented', 'heldout_test', 'unseen']), '',
  ].join('\n');
  const paths = await writeResults(args.results, 'classify', json, md);
  log(`wrote ${paths.json} and ${paths.md} (${wall_s} s)`);
  process.stdout.write(md + '\n');
}
