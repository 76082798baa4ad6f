/**
 * `npm run experiment -- explain [--model <dir>] [--patients n] [--slices lesion|top] [--quick] [--seed n] [--jobs n] [--data dir] [--results dir]`:
 * issue #5 on the synthetic consortium. A trained classifier (default: the SIM+NCM run of
 * `npm run experiment -- classify`) explains every NCP patient of the unseen centre (the last one,
 * all splits) with `unbox-site explain --ground-truth`, by default on every slice of the patient's
 * lesion run; the per-slice lesion figures are pooled into the pointing game, box IoU, LIME/SHAP
 * top-is-lesion and rank AUC against chance, per severity (explain-aggregate.ts), and against the
 * same network with its weights re-drawn (Adebayo et al.'s sanity check, paired by slice). The consortium
 * is never generated here: the model must have been trained on the one on disk.
 * Writes results/explain.json and results/explain.md.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { loadGroundTruthIndex } from '@unbox/data';
import { markdownTable } from '@unbox/models';
import { parseExperimentArgs, type ExperimentArgs } from './args.js';
import { aggregateLesionSlices, baselineRows, lesionSlicesOf, type BaselineRow, type LesionSlice, type MetricRow, type Severity } from './explain-aggregate.js';
import { pool } from './pool.js';
import { writeResults } from './report.js';
import { progressLog, runSiteAgent } from './site-cli.js';
import { SIZES } from './sizes.js';

const log = (m: string) => process.stderr.write(`[explain] ${m}\n`);
/** patient-level bootstrap resamples of every interval */
const RESAMPLES = 2000;
/** the classify experiment's run explained by default (paper: SIM+NCM is the proposed model) */
const DEFAULT_MODE = 'sim+ncm';

export type SliceChoice = 'lesion' | 'top';

export interface ExplainArgs extends ExperimentArgs {
  /** train --out folder (or its checkpoint/); undefined: the classify experiment's SIM+NCM run */
  model?: string;
  /** explain at most this many NCP patients (in patient-id order) */
  patients?: number;
  /** lesion: every slice of the lesion run (ground truth); top: explain's default, the 3 highest-scoring slices */
  slices: SliceChoice;
}

const USAGE = 'expected --model <dir>, --patients <n>, --slices lesion|top, --quick, --seed <n>, --jobs <n>, --data <dir>, --results <dir>';
const SHARED_WITH_VALUE = new Set(['--seed', '--data', '--results', '--jobs']);

/** explain's own flags, then the shared ones through parseExperimentArgs (same checks and messages). */
export function parseExplainArgs(argv: string[]): ExplainArgs {
  const shared: string[] = [];
  let model: string | undefined;
  let patients: number | undefined;
  let slices: SliceChoice = 'lesion';
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--model') model = value(i++, a);
    else if (a === '--patients') {
      const v = value(i++, a);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--patients must be a whole number ≥ 1, got "${v}"`);
      patients = n;
    } else if (a === '--slices') {
      const v = value(i++, a);
      if (v !== 'lesion' && v !== 'top') throw new Error(`--slices must be one of lesion, top, got "${v}"`);
      slices = v;
    } else if (a === '--steps') throw new Error('unknown option --steps: explain trains nothing (pass --model, or train with `npm run experiment -- classify --steps n` first)');
    else if (a === '--quick') shared.push(a);
    else if (SHARED_WITH_VALUE.has(a)) {
      shared.push(a);
      if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) shared.push(argv[++i]);
    } else throw new Error(`unknown option ${a} (${USAGE})`);
  }
  return { ...parseExperimentArgs(shared), model, patients, slices };
}

/** What the experiment knows of the classifier it explains. */
export interface ModelInfo {
  dir: string;
  step: number;
  /** `steps` of its evaluation.json (null: the folder has none) */
  evaluation_steps: number | null;
  mode: string;
  /** its checkpoint is older than consortium.json: trained on an earlier consortium */
  predates_consortium: boolean;
}

const classifyCommand = (a: ExplainArgs) => `npm run experiment -- classify${a.quick ? ' --quick' : ''}${a.seed !== 1 ? ` --seed ${a.seed}` : ''}${a.data !== 'data' ? ` --data ${a.data}` : ''}`;

/**
 * The consortium folder and the model; the errors name the path and what to run. A default model
 * trained before the consortium was last written is refused (its figures would describe other
 * images); an explicit --model is only warned about.
 */
export async function locateInputs(a: ExplainArgs): Promise<{ dir: string; testCentre: string; manifest: string; groundTruth: string; model: ModelInfo }> {
  const size = SIZES[a.quick ? 'quick' : 'default'];
  // the folders consortium.ts writes: data/synthetic-<size>, and the classify runs under experiments/classify-seed<n>/<mode>
  const dir = resolve(a.data, `synthetic-${size.name}`);
  const testCentre = String.fromCharCode(65 + size.synth.centres - 1);
  const manifest = join(dir, testCentre, 'manifest.json');
  const groundTruth = join(dir, testCentre, 'ground-truth.json');
  const defaultModel = join(dir, 'experiments', `classify-seed${a.seed}`, DEFAULT_MODE);
  const modelDir = resolve(a.model ?? defaultModel);
  const out = basename(modelDir) === 'checkpoint' ? dirname(modelDir) : modelDir;
  const statePath = join(out, 'checkpoint', 'state.json');
  if (!existsSync(statePath)) {
    if (a.model) throw new Error(`--model ${a.model}: ${statePath} does not exist (expected an \`unbox-site train --out\` folder or its checkpoint/)`);
    throw new Error(`no trained ${DEFAULT_MODE} classifier at ${out} (${statePath} is missing): run \`${classifyCommand(a)}\` first, or pass --model <train --out dir>`);
  }
  for (const need of [join(dir, 'consortium.json'), join(dir, 'domain-shift.json'), manifest, groundTruth])
    if (!existsSync(need)) throw new Error(`the synthetic consortium in ${dir} is incomplete (${need} is missing): run \`${classifyCommand(a)}\` first`);
  let state: { step?: unknown; config?: { task?: unknown; model?: { mode?: unknown } } };
  try {
    state = JSON.parse(await readFile(statePath, 'utf8')) as typeof state;
  } catch (e) {
    throw new Error(`${statePath}: cannot read the checkpoint state (${(e as Error).message})`);
  }
  if (state.config?.task !== 'classify') throw new Error(`${statePath}: the model is a ${String(state.config?.task)} model; explain aggregates classifier explanations`);
  if (!Number.isInteger(state.step)) throw new Error(`${statePath}: step is not a whole number`);
  const evalPath = join(out, 'evaluation.json');
  let evaluation_steps: number | null = null;
  if (existsSync(evalPath)) {
    const steps = (JSON.parse(await readFile(evalPath, 'utf8')) as { steps?: unknown }).steps;
    evaluation_steps = Number.isInteger(steps) ? (steps as number) : null;
  }
  const predates = (await stat(statePath)).mtimeMs < (await stat(join(dir, 'consortium.json'))).mtimeMs;
  if (predates && !a.model) throw new Error(`${out} was trained before ${join(dir, 'consortium.json')} was last written (an earlier consortium): run \`${classifyCommand(a)}\` again first`);
  if (predates) log(`warning: ${out} is older than ${join(dir, 'consortium.json')}; it may have been trained on an earlier consortium`);
  return {
    dir, testCentre, manifest, groundTruth,
    model: { dir: out, step: state.step as number, evaluation_steps, mode: String(state.config.model?.mode), predates_consortium: predates },
  };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const fmt = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));

export async function main(argv: string[]): Promise<void> {
  const args = parseExplainArgs(argv);
  const t0 = performance.now();
  const size = SIZES[args.quick ? 'quick' : 'default'];
  const { dir, testCentre, manifest, groundTruth, model } = await locateInputs(args);
  const index = await loadGroundTruthIndex(groundTruth);
  const ncp = index.chest
    .filter((c): c is typeof c & { severity: Severity; lesion_slices: [number, number] } => c.label === 'NCP' && c.severity !== null && c.lesion_slices !== null)
    .sort((x, y) => x.patient.localeCompare(y.patient))
    .slice(0, args.patients);
  if (!ncp.length) throw new Error(`${groundTruth}: no NCP patient with a lesion run at centre ${testCentre}`);
  const jobs = args.jobs ?? 2;
  // one engine thread per child, also with --jobs 1: the forwards are small batches of small slices, and under load two
  // oneDNN threads per child wait on each other (a 6-slice quick patient: 3.6 s at 1 thread, 22.9 s at 2; docs/experiments.md)
  process.env.UNBOX_THREADS ??= '1';
  const work = join(dir, 'experiments', `explain-seed${args.seed}`);
  log(`explaining ${ncp.length} NCP patients of centre ${testCentre} with ${model.dir} (step ${model.step}), slices: ${args.slices}, ${jobs} at a time`);

  interface Done { patient: string; severity: Severity; split: string; lesion_run: [number, number]; explained: number; lesion_slices: number; probability: number | null; seconds: number; json: Record<string, unknown>; slices: LesionSlice[]; randomised: LesionSlice[] }
  const failed: { patient: string; error: string }[] = [];
  const done = await pool(ncp, jobs, async (c): Promise<Done | null> => {
    const out = join(work, c.patient);
    await rm(out, { recursive: true, force: true });
    const which = args.slices === 'lesion' ? range(...c.lesion_slices).join(',') : 'top';
    const ts = performance.now();
    try {
      const explain = (dir: string, extra: string[]) => runSiteAgent(
        ['explain', '--model', model.dir, '--manifest', manifest, '--ground-truth', groundTruth, '--patient', c.patient, '--slices', which, '--seed', String(args.seed), '--out', dir, ...extra],
        progressLog(log, c.patient),
      );
      await explain(out, []);
      const seconds = +((performance.now() - ts) / 1000).toFixed(2);
      // the sanity check: the same slices explained by the same network with every weighted layer re-drawn
      const randomDir = join(out, 'randomised');
      await explain(randomDir, ['--randomise-weights', String(args.seed)]);
      const file = join(out, 'explanation.json');
      const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      const { explained, lesion } = lesionSlicesOf(json, file, c.patient, c.severity);
      const randomFile = join(randomDir, 'explanation.json');
      const randomised = lesionSlicesOf(JSON.parse(await readFile(randomFile, 'utf8')), randomFile, c.patient, c.severity).lesion;
      if (!lesion.length && args.slices === 'lesion') log(`  ${c.patient}: warning: none of the ${explained} slices of its lesion run holds lesion pixels (mask not on the scan grid?)`);
      if (!lesion.length && args.slices === 'top') log(`  ${c.patient}: none of explain's ${explained} top slices holds lesion pixels`);
      log(`  ${c.patient} (${c.severity}): ${lesion.length} lesion slices in ${seconds} s`);
      const probability = typeof json.probability === 'number' ? json.probability : null;
      return { patient: c.patient, severity: c.severity, split: c.split, lesion_run: c.lesion_slices, explained, lesion_slices: lesion.length, probability, seconds, json, slices: lesion, randomised };
    } catch (e) {
      // one patient that cannot be explained is recorded, not the end of the experiment
      const error = (e as Error).message.split('\n').slice(0, 3).join(' ');
      log(`  ${c.patient}: failed: ${error}`);
      failed.push({ patient: c.patient, error });
      return null;
    }
  });
  const ok = done.filter((d): d is Done => d !== null);
  if (!ok.length) throw new Error(`every patient failed; first: ${failed[0]?.patient}: ${failed[0]?.error}`);
  const slices = ok.flatMap((d) => d.slices);
  const rows: MetricRow[] = aggregateLesionSlices(slices, { resamples: RESAMPLES, seed: args.seed });
  const baseline: BaselineRow[] = baselineRows(slices, ok.flatMap((d) => d.randomised), { resamples: RESAMPLES, seed: args.seed });
  const first = ok[0].json;
  const firstSlice = (first.slices as { shap?: { nsamples?: number }; lime?: { num_samples?: number } }[])[0];
  const seconds = ok.map((d) => d.seconds).sort((a, b) => a - b);
  const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
  const threads = Number(process.env.UNBOX_THREADS) > 0 ? Number(process.env.UNBOX_THREADS) : availableParallelism();
  const json = {
    experiment: 'explain', command: `npm run experiment -- ${['explain', ...argv].join(' ')}`, test_centre: testCentre, wall_s,
    backend: first.backend, threads, jobs, seed: args.seed, versions: first.versions, created: new Date().toISOString(),
    model,
    config: {
      size: size.name, synth: size.synth, slices: args.slices, patients_cap: args.patients ?? null, bootstrap_resamples: RESAMPLES,
      // explain's own parameters as it recorded them (library defaults: LIME 1000 samples, Kernel SHAP 2M + 2048)
      explain: first.params, lime_samples: firstSlice?.lime?.num_samples ?? null, shap_nsamples_first_slice: firstSlice?.shap?.nsamples ?? null,
    },
    // A_conv's H′×W′: the CAM's native grid (input / 32); at 2×2 or 1×1 the pointing game can only pick a quadrant or nothing
    cam_grid: first.cam_grid,
    lesion_slices: slices.length,
    seconds_per_patient: { mean: +(seconds.reduce((a, b) => a + b, 0) / seconds.length).toFixed(2), median: seconds[Math.floor(seconds.length / 2)], max: seconds.at(-1) },
    seconds_per_lesion_slice: +(seconds.reduce((a, b) => a + b, 0) / Math.max(1, slices.length)).toFixed(2),
    rows,
    // model-randomisation sanity check (Adebayo et al. 2018): every weighted layer re-drawn with seed `seed`
    randomised_weights_seed: args.seed,
    baseline,
    patients: ok.map(({ json: _j, slices: _s, randomised: _r, ...p }) => p),
    failed,
    per_slice: slices,
    explanations: work,
  };
  const tableRows = rows.map((r) => ({ ...r, chance: r.chance ?? Number.NaN, ci95: r.ci95_low === null ? 'n/a' : `[${fmt(r.ci95_low)}, ${fmt(r.ci95_high)}]`, p: r.p_above_chance === null ? 'n/a' : r.p_above_chance.toPrecision(2) }));
  const md = [
    `# Explanations against the lesion masks${args.quick ? ' (--quick)' : ''}`, '',
    `\`${json.command}\`: ${model.mode} classifier ${model.dir} (step ${model.step}) explained on ${ok.length} NCP patients of the unseen centre ${testCentre} ` +
      `(${args.slices === 'lesion' ? 'every slice of each lesion run' : "explain's 3 highest-scoring slices"}), ${slices.length} lesion slices; ` +
      `backend ${String(json.backend)} (${threads} thread${threads === 1 ? '' : 's'}, ${jobs} patient${jobs === 1 ? '' : 's'} at a time), seed ${args.seed}, ` +
      `CAM grid ${Array.isArray(json.cam_grid) ? json.cam_grid.join('×') : 'n/a'}, LIME ${String(json.config.lime_samples)} samples, Kernel SHAP ${String(json.config.shap_nsamples_first_slice)} coalitions (2M + 2048), wall time ${wall_s} s ` +
      `(${json.seconds_per_patient.mean} s per patient), ${json.created}.` + (failed.length ? ` Failed: ${failed.map((f) => f.patient).join(', ')}.` : ''),
    '',
    'value: hit rate (pointing game, top-is-lesion) or mean (IoU, rank AUC) over lesion slices; ci95: 95 % percentile bootstrap over patients; ' +
      'chance: mean chance level (random peak / random top superpixel; 0.5 for rank AUC); p: one-sided exact p-value of "above chance" ' +
      '(Poisson-binomial for hits, sign test for AUC; slices as independent trials, so optimistic where slices of a patient agree).', '',
    markdownTable(tableRows, ['group', 'metric', 'n', 'patients', 'value', 'ci95', 'chance', 'p']), '',
    'Model-randomisation sanity check (Adebayo et al. 2018): the same slices explained by the same network with every weighted layer ' +
      're-drawn (`unbox-site explain --randomise-weights`). difference: trained − randomised, paired by slice; ci95: 95 % bootstrap over ' +
      'patients. A figure above chance but not above the randomised model comes from the image and the perturbation, not from what the model learnt.', '',
    markdownTable(baseline.map((r) => ({ ...r, trained: r.trained ?? Number.NaN, randomised: r.randomised ?? Number.NaN, difference: r.difference ?? Number.NaN, ci95: r.ci95_low === null ? 'n/a' : `[${fmt(r.ci95_low)}, ${fmt(r.ci95_high)}]` })),
      ['group', 'metric', 'n', 'trained', 'randomised', 'difference', 'ci95']), '',
    markdownTable(json.patients.map((p) => ({ ...p, lesion_run: p.lesion_run.join('-'), probability: p.probability ?? Number.NaN })), ['patient', 'severity', 'split', 'lesion_run', 'lesion_slices', 'probability', 'seconds']), '',
  ].join('\n');
  const paths = await writeResults(args.results, 'explain', json, md);
  log(`wrote ${paths.json} and ${paths.md} (${wall_s} s)`);
  process.stdout.write(md + '\n');
}
