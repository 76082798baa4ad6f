/**
 * `npm run experiment -- federated [--quick] [--seed n] [--rounds n] [--local-epochs n] [--batch n] [--lr x]
 *   [--sampling uniform|centre-balanced] [--lung-crop] [--norm batch|group] [--input-norm none|slice] [--freeze-bn-from round] [--keep-optimizer] [--scanner-jitter] [--weight-decay x] [--strategy json] [--curve k] [--data dir] [--results dir]`
 * (issue #4): the same classifier trained two ways on the train split of centres A, B, C of the
 * synthetic consortium, tested on every patient of the unseen centre D:
 * - federated: a coordinator and 3 site agents as separate processes (`unbox-coordinator serve`,
 *   `unbox-site enroll`, `unbox-site join`), FedAvg with secure aggregation, R rounds of E local
 *   epochs, `batch_size` patients per step; each site saves the final global model
 *   (<site-dir>/models/classify, `train --out` layout);
 * - centralised: `unbox-site train` on the pooled train splits, the same network (lung crop
 *   included), learning rate, patients per step, patient sampling (centre-balanced: pairs of one
 *   centre, as each site draws from its own), slices per patient and per-batch augmentation, for the same number of
 *   gradient steps as all sites took together (R · E · Σ_k ⌈n_k / batch⌉), i.e. the same number
 *   of passes over the pooled data.
 * Both models are then scored by the same `unbox-site eval` on D (and on the pooled test split of
 * A, B, C), and a batch-norm network also after AdaBN at D. `--norm group` puts group norm in place
 * of batch norm in both (`classifier…:gn`), `--input-norm slice` standardises every input slice first (`…:sn`); `--freeze-bn-from r` has the sites freeze the global
 * model's batch-norm statistics from round r on (FixBN; run config train.freeze_bn_from_round);
 * `--keep-optimizer` has each site carry its Adam moments from round to round (train.keep_optimizer_state);
 * `--scanner-jitter` gives both runs' training views a random scanner calibration and noise (train.scanner_jitter);
 * `--weight-decay x` sets both runs' L2 weight decay (train.weight_decay; the model's weightDecay).
 * `--strategy '{"name":"fedavgm","momentum":0.9}'` replaces FedAvg by another strategy of the run
 * config (FedProx, FedAvgM, FedAdam, …; secure aggregation stays on).
 * `--curve k` also scores both every k rounds: the federated global model of that round (the
 * coordinator's stored version, `eval --weights`) and the centralised one at the same share of the
 * budget (`keepCheckpoints`), with the mean and spread over the second half. Writes
 * results/federated.json and results/federated.md.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, namedModel, PatientSampling, type ClassificationSummary } from '@unbox/models';
import { describeIssues, StrategyConfig } from '@unbox/protocol';
import { Children, type Child } from './consortium/children.js';
import { startCoordinator } from './consortium/coordinator.js';
import { ensureConsortium, type Centre } from './experiments/consortium.js';
import { curveRounds, summariseCurve, type CurvePoint, type CurveScores, type MeanSd } from './experiments/learning-curve.js';
import { writeJson, writeResults } from './experiments/report.js';
import { progressLog, runSiteAgent } from './experiments/site-cli.js';
import { SIZES } from './experiments/sizes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const COORDINATOR_BIN = join(ROOT, 'apps/coordinator/bin/unbox-coordinator.js');
const SITE_BIN = join(ROOT, 'apps/site-agent/bin/unbox-site.js');
const log = (m: string) => process.stderr.write(`[federated] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FederatedArgs {
  quick: boolean;
  seed: number;
  rounds: number;
  localEpochs: number;
  /** patients per step; default the size's */
  batch?: number;
  sampling: PatientSampling;
  lungCrop: boolean;
  /** the backbone's normalisation in both (group: Wu & He's group norm) */
  norm: 'batch' | 'group';
  /** slice: every input slice standardised by its own mean and standard deviation first, in both */
  inputNorm: 'none' | 'slice';
  /** FixBN: the federated sites freeze batch-norm statistics from this round on */
  freezeBnFrom?: number;
  /** the sites keep their Adam moments between rounds (train.keep_optimizer_state) */
  keepOptimizer: boolean;
  /** both runs' training views get scanner jitter (train.scanner_jitter; the centralised config's scannerJitter) */
  scannerJitter: boolean;
  /** both runs' L2 weight decay (train.weight_decay; the centralised model's weightDecay); absent: the model's */
  weightDecay?: number;
  /** learning rate of both (local Adam at the sites, Adam centrally); default the model's */
  lr?: number;
  /** score both models every this many rounds (learning curves) */
  curve?: number;
  /** the federated run's strategy (run config `strategy`); FedAvg when absent */
  strategy?: StrategyConfig;
  data: string;
  results: string;
}

export function parseFederatedArgs(argv: string[]): FederatedArgs {
  const out: FederatedArgs = { quick: false, seed: 1, rounds: 10, localEpochs: 1, sampling: 'uniform', lungCrop: false, norm: 'batch', inputNorm: 'none', keepOptimizer: false, scannerJitter: false, data: 'data', results: 'results' };
  let rounds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (min: number) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a} must be a whole number ≥ ${min}, got "${v}"`);
      return n;
    };
    if (a === '--quick') out.quick = true;
    else if (a === '--seed') out.seed = int(0);
    else if (a === '--rounds') rounds = int(1);
    else if (a === '--local-epochs') out.localEpochs = int(1);
    else if (a === '--batch') out.batch = int(1);
    else if (a === '--lr') {
      const v = value();
      const n = Number(v);
      if (!(n > 0 && n <= 1)) throw new Error(`--lr must be a number in (0, 1], got "${v}"`);
      out.lr = n;
    }
    else if (a === '--lung-crop') out.lungCrop = true;
    else if (a === '--curve') out.curve = int(1);
    else if (a === '--strategy') {
      const v = value();
      let raw: unknown;
      try {
        raw = JSON.parse(v);
      } catch {
        throw new Error(`--strategy must be a run config strategy in JSON, e.g. '{"name":"fedavgm","momentum":0.9}', got "${v}"`);
      }
      const r = StrategyConfig.safeParse(raw);
      if (!r.success) throw new Error(`--strategy: ${describeIssues(r.error.issues)}`);
      // SiloBN's global model still carries the averaged statistics; FedBN's has no learned batch norm of its own
      if (r.data.name === 'fedbn') throw new Error('--strategy fedbn keeps batch norm at each site: the unseen centre has no site model to score (SiloBN, which shares γ and β, can be)');
      out.strategy = r.data;
    }
    else if (a === '--freeze-bn-from') out.freezeBnFrom = int(1);
    else if (a === '--keep-optimizer') out.keepOptimizer = true;
    else if (a === '--scanner-jitter') out.scannerJitter = true;
    else if (a === '--weight-decay') {
      const v = value();
      const x = Number(v);
      if (!(Number.isFinite(x) && x >= 0 && x <= 1)) throw new Error(`--weight-decay must be a number in [0, 1], got "${v}"`);
      out.weightDecay = x;
    }
    else if (a === '--input-norm') {
      const v = value();
      if (v !== 'none' && v !== 'slice') throw new Error(`--input-norm must be none or slice, got "${v}"`);
      out.inputNorm = v;
    }
    else if (a === '--norm') {
      const v = value();
      if (v !== 'batch' && v !== 'group') throw new Error(`--norm must be batch or group, got "${v}"`);
      out.norm = v;
    }
    else if (a === '--sampling') {
      const v = value();
      const r = PatientSampling.safeParse(v);
      if (!r.success) throw new Error(`--sampling must be one of ${PatientSampling.options.join(', ')}, got "${v}"`);
      out.sampling = r.data;
    }
    else if (a === '--data') out.data = value();
    else if (a === '--results') out.results = value();
    else throw new Error(`unknown option ${a} (expected --quick, --seed <n>, --rounds <n>, --local-epochs <n>, --batch <n>, --lr <x>, --sampling <mode>, --lung-crop, --norm <batch|group>, --input-norm <none|slice>, --freeze-bn-from <round>, --keep-optimizer, --scanner-jitter, --weight-decay <x>, --strategy <json>, --curve <k>, --data <dir>, --results <dir>)`);
  }
  out.rounds = rounds ?? (out.quick ? 2 : 10);
  if (out.freezeBnFrom !== undefined && out.freezeBnFrom > out.rounds) throw new Error(`--freeze-bn-from ${out.freezeBnFrom} is after the last round (${out.rounds})`);
  if (out.curve !== undefined && out.curve > out.rounds) throw new Error(`--curve ${out.curve} is more than the rounds (${out.rounds})`);
  return out;
}

/** Gradient steps of one local epoch at a site with `n` training patients, `batch` per step (the federated trainer's loop). */
export const stepsPerEpoch = (n: number, batch: number) => Math.ceil(n / batch);

/** The centralised step budget equal to the federation's: every site's steps over all rounds. */
export function centralSteps(trainPatients: readonly number[], batch: number, rounds: number, localEpochs: number): number {
  return rounds * localEpochs * trainPatients.reduce((a, n) => a + stepsPerEpoch(n, batch), 0);
}

type Summary = Omit<ClassificationSummary, 'roc' | 'pr'>;

/** "FedAvg", or the strategy's name and its settings, for the report. */
function strategyLabel(s: StrategyConfig): string {
  const { name, ...rest } = s;
  const settings = Object.entries(rest).map(([k, v]) => `${k} ${String(v)}`).join(', ');
  return name === 'fedavg' ? 'FedAvg' : `${name}${settings ? ` (${settings})` : ''}`;
}
interface EvalFile { backend: string; threads?: number; versions?: Record<string, string>; splits: Record<string, { patient: Summary; image: Summary }> }
const METRICS = ['n', 'acc', 'sensitivity', 'specificity', 'auc'] as const;
const pick = (s: Summary) => Object.fromEntries(METRICS.map((k) => [k, s[k] ?? Number.NaN]));

/** Patients with a label in the train split of a manifest (what `join` and `train` train on). */
function trainPatients(manifest: string): number {
  const m = JSON.parse(readFileSync(manifest, 'utf8')) as { entries?: { patient: string; split?: string; label?: string; task?: string }[] };
  const ids = new Set((m.entries ?? []).filter((e) => e.split === 'train' && e.label !== undefined && (e.task === undefined || e.task === 'classify')).map((e) => e.patient));
  return ids.size;
}

async function finished(children: Children, child: Child, what: string): Promise<void> {
  const code = await child.exited;
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${children.tail(child)}`);
}

/** How long the experiment waits for a round before it calls the run stalled. */
const STALL_MS = 15 * 60_000;

async function federate(o: { work: string; train: Centre[]; model: string; config: object; threads: string }): Promise<{ run: string; wall_s: number; siteDirs: string[]; summary: unknown }> {
  const children = new Children(join(o.work, 'logs'));
  try {
    const { api, child: coordinator } = await startCoordinator(children, { bin: COORDINATOR_BIN, dataDir: join(o.work, 'coordinator'), port: 0, runsDir: join(o.work, 'runs') });
    const { url } = api;
    const siteDirs: string[] = [];
    const sites: Child[] = [];
    for (const c of o.train) {
      const siteDir = join(o.work, 'sites', c.centre);
      const { token } = await api.call<{ token: string }>('POST', '/api/sites', { site_id: c.centre });
      await finished(children, children.spawnNode(`enroll-${c.centre}`, SITE_BIN, ['enroll', '--coordinator', url, '--token', token, '--site-dir', siteDir]), `enrolling ${c.centre}`);
      sites.push(children.spawnNode(`site-${c.centre}`, SITE_BIN, ['join', '--site-dir', siteDir, '--manifest', c.manifest, '--model', o.model], undefined, { UNBOX_THREADS: o.threads }));
      siteDirs.push(siteDir);
    }
    const t0 = performance.now();
    const { run_id: run } = await api.call<{ run_id: string }>('POST', '/api/runs', o.config);
    log(`run ${run} started with ${o.train.length} site agents (logs in ${join(o.work, 'logs')})`);
    let done = 0;
    let progressAt = performance.now();
    for (;;) {
      for (const s of [coordinator, ...sites]) if (s.proc.exitCode !== null) throw new Error(`${s.name} stopped (exit ${s.proc.exitCode}):\n${children.tail(s)}`);
      const v = await api.call<{ status: string; completed_rounds: number; failure: string | null }>('GET', `/api/runs/${run}`);
      if (v.completed_rounds > done) {
        log(`round ${(done = v.completed_rounds)} done (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
        progressAt = performance.now();
      }
      // a round here takes seconds; a quarter of an hour without one means a process hangs: say so, don't wait forever
      if (performance.now() - progressAt > STALL_MS) throw new Error(`run ${run}: no round completed in ${STALL_MS / 60_000} min after round ${done} (status ${v.status}); logs in ${join(o.work, 'logs')}`);
      if (v.status === 'done') break;
      if (['failed', 'stopped'].includes(v.status)) throw new Error(`run ${run} ${v.status}: ${v.failure ?? ''}`);
      await sleep(1000);
    }
    const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
    const summary = JSON.parse(await readFile(join(o.work, 'runs', run, 'summary.json'), 'utf8')) as unknown;
    // the sites save the last round's model once its round.end arrives: wait for the files
    const last = (o.config as { rounds: number }).rounds;
    for (const end = Date.now() + 60_000; ; await sleep(500)) {
      const states = siteDirs.map((d) => {
        try {
          return (JSON.parse(readFileSync(join(d, 'models', 'classify', 'checkpoint', 'state.json'), 'utf8')) as { federated?: { round: number } }).federated?.round;
        } catch {
          return undefined;
        }
      });
      if (states.every((r) => r === last)) break;
      if (Date.now() > end) throw new Error(`the sites did not save the round-${last} model (saved rounds: ${states.join(', ')})`);
    }
    return { run, wall_s, siteDirs, summary };
  } finally {
    await children.stopAll();
  }
}

/** The centralised run's identity: its training config and the files it depends on (paths and contents). */
export function centralKey(config: unknown, files: readonly string[]): string {
  const h = createHash('sha256').update(JSON.stringify(config));
  for (const m of files) h.update(`\0${m}\0`).update(readFileSync(m));
  return h.digest('hex').slice(0, 16);
}

/** The curve AUCs of one model from its evaluations (NaN for the per-centre ones of a network without batch norm). */
function curveScores(e: { unseen: EvalFile; held: EvalFile; unseenAdapted: EvalFile | null; heldAdapted: EvalFile | null }): CurveScores {
  const auc = (f: EvalFile | null, level: 'patient' | 'image') => f?.splits.all[level].auc ?? Number.NaN;
  return {
    unseen_patient_auc: auc(e.unseen, 'patient'), unseen_image_auc: auc(e.unseen, 'image'), test_patient_auc: auc(e.held, 'patient'), test_image_auc: auc(e.held, 'image'),
    unseen_patient_auc_adabn: auc(e.unseenAdapted, 'patient'), unseen_image_auc_adabn: auc(e.unseenAdapted, 'image'), test_patient_auc_adabn: auc(e.heldAdapted, 'patient'), test_image_auc_adabn: auc(e.heldAdapted, 'image'),
  };
}

async function evaluate(model: string, manifests: string[], truths: string[], out: string, extra: string[], tag: string): Promise<EvalFile> {
  await runSiteAgent(['eval', '--model', model, '--manifest', ...manifests, '--ground-truth', ...truths, ...extra, '--merge-splits', '--out', out], progressLog(log, tag));
  return JSON.parse(await readFile(out, 'utf8')) as EvalFile;
}

export async function main(argv: string[]): Promise<void> {
  const args = parseFederatedArgs(argv);
  const size = SIZES[args.quick ? 'quick' : 'default'];
  const t0 = performance.now();
  const { dir, centres, generated_s } = await ensureConsortium(args.data, size.name, size.synth, log);
  const train = centres.slice(0, -1);
  const test = centres.slice(-1);
  // one work folder per results folder and seed, so experiments with other flags can run side by side
  const work = join(dir, 'experiments', `federated-${basename(resolve(args.results))}-seed${args.seed}`);
  await rm(work, { recursive: true, force: true });
  // the federation's network (a run config names it), the same for the centralised run
  const modelName = `classifier:${size.classify.model.backbone?.inputSize ?? 64}${args.lungCrop ? ':lung' : ''}${args.norm === 'group' ? ':gn' : ''}${args.inputNorm === 'slice' ? ':sn' : ''}`;
  const named = namedModel(modelName);
  if (named.task !== 'classify') throw new Error(`${modelName} is not a classifier`);
  const batch = args.batch ?? size.classify.patientsPerBatch;
  const maxSlicesPerPatient = 16; // the federated trainer's window (ClassifierTrainer default)
  const perSite = train.map((c) => trainPatients(c.manifest));
  const steps = centralSteps(perSite, batch, args.rounds, args.localEpochs);
  const lr = args.lr ?? named.config.learningRate;
  log(`budget: ${args.rounds} rounds × ${args.localEpochs} local epoch(s) over ${perSite.join('+')} training patients, ${batch} per step = ${steps} gradient steps either way`);

  // ---- federated ----
  const threads = process.env.UNBOX_THREADS ?? String(Math.max(1, Math.floor(availableParallelism() / train.length)));
  const runConfig = {
    version: 1, name: 'federated vs centralised', task: 'classify', model: modelName, rounds: args.rounds, seed: args.seed,
    strategy: args.strategy ?? { name: 'fedavg' },
    cohort: { min_sites: train.length, threshold: train.length, fit_timeout_s: 3600, evaluate_timeout_s: 1800 },
    train: { local_epochs: args.localEpochs, batch_size: batch, lr, ...(args.sampling === 'uniform' ? {} : { sampling: args.sampling }),
      ...(args.freezeBnFrom ? { freeze_bn_from_round: args.freezeBnFrom } : {}),
      ...(args.keepOptimizer ? { keep_optimizer_state: true } : {}),
      ...(args.scannerJitter ? { scanner_jitter: true } : {}),
      ...(args.weightDecay !== undefined ? { weight_decay: args.weightDecay } : {}) },
    secure_aggregation: true,
  };
  const fed = await federate({ work: join(work, 'federated'), train, model: modelName, config: runConfig, threads });
  log(`federated: ${args.rounds} rounds in ${fed.wall_s} s`);
  const fedModel = join(fed.siteDirs[0], 'models', 'classify');

  // ---- centralised ----
  const trainConfig = { task: 'classify', seed: args.seed, steps, checkpointEvery: steps, evalSplits: ['test'], patientsPerBatch: batch, maxSlicesPerPatient, sampling: args.sampling, ...(args.scannerJitter ? { scannerJitter: true } : {}), model: { ...named.config, learningRate: lr, ...(args.weightDecay !== undefined ? { weightDecay: args.weightDecay } : {}) } };
  const manifests = train.map((c) => c.manifest);
  // Seeded training replays bit for bit, so a centralised model trained before with this exact
  // config on these manifests is reused (its folder is named by their hash); federated-only
  // variants then cost only their federated half. consortium.json is hashed too: a regenerated
  // consortium (another phantom revision) keeps its manifests' text but not its images.
  const centralOut = join(dir, 'experiments', `centralised-${centralKey(trainConfig, [...manifests, join(dir, 'consortium.json')])}`);
  // --curve: the centralised run keeps a checkpoint at every curve point (the key stays the
  // config's: where and whether checkpoints are kept does not change the weights)
  const points = args.curve === undefined ? [] : curveRounds(args.rounds, args.curve);
  const centralStepOf = (round: number) => centralSteps(perSite, batch, round, args.localEpochs);
  const keptStep = (round: number) => join(centralOut, 'checkpoints', `step-${centralStepOf(round)}`);
  const reused = existsSync(join(centralOut, 'evaluation.json')) && points.every((r) => existsSync(join(keptStep(r), 'state.json')));
  const wallFile = join(centralOut, 'wall.json');
  let central_s: number;
  if (reused) {
    central_s = existsSync(wallFile) ? (JSON.parse(readFileSync(wallFile, 'utf8')) as { wall_s: number }).wall_s : Number.NaN;
    log(`centralised: reusing ${centralOut} (same config, seed and data; trained in ${central_s} s)`);
  } else {
    await rm(centralOut, { recursive: true, force: true });
    const cfgPath = join(work, 'centralised.config.json');
    await writeJson(cfgPath, args.curve === undefined ? trainConfig : { ...trainConfig, checkpointEvery: centralStepOf(args.curve), keepCheckpoints: true });
    const tc = performance.now();
    await runSiteAgent(['train', '--task', 'classify', '--manifest', ...manifests, '--config', cfgPath, '--out', centralOut], progressLog(log, 'centralised'));
    central_s = +((performance.now() - tc) / 1000).toFixed(1);
    await writeJson(wallFile, { wall_s: central_s });
    log(`centralised: ${steps} steps in ${central_s} s`);
  }

  // ---- the same evaluation of both ----
  // The federated model is the coordinator's global version of each round (`eval --weights`, in
  // the network of a site's copy): with SiloBN a site's own copy holds that site's statistics.
  const version = (round: number) => join(work, 'federated', 'coordinator', 'checkpoints', fed.run, `round-${round}`);
  const bn = args.norm === 'batch';
  const sets = { unseen: test, test: train };
  // Each model four ways: on the unseen centre and on the pooled test split of the training
  // centres, with its own batch-norm statistics and with each centre's own (AdaBN per centre, no
  // labels: D's from its scans, a training centre's from all of its scans, as a site that keeps
  // its statistics has them; a group-norm network has none to adapt).
  const evaluateAll = async (model: string, extra: string[], base: string, tag: string): Promise<{ unseen: EvalFile; held: EvalFile; unseenAdapted: EvalFile | null; heldAdapted: EvalFile | null }> => {
    const run = (set: 'unseen' | 'test', adapt: boolean) => evaluate(model, sets[set].map((c) => c.manifest), sets[set].map((c) => c.groundTruth), `${base}-${set}${adapt ? '-adabn' : ''}.json`,
      [...extra, ...(set === 'test' ? ['--split', 'test'] : []), ...(adapt ? ['--adapt-bn', ...(set === 'test' ? ['--adapt-on', 'train', 'val', 'test'] : [])] : [])], tag);
    const [unseen, held] = await Promise.all([run('unseen', false), run('test', false)]);
    const [unseenAdapted, heldAdapted] = bn ? await Promise.all([run('unseen', true), run('test', true)]) : [null, null];
    return { unseen, held, unseenAdapted, heldAdapted };
  };
  const rows: Record<string, unknown>[] = [];
  const inDist: Record<string, unknown>[] = [];
  // the last round's curve point is this evaluation: it is not run again
  const finalScores = new Map<'federated' | 'centralised', CurveScores>();
  let backend: EvalFile | null = null;
  for (const [method, model, extra, wall_s] of [['federated', fedModel, ['--weights', version(args.rounds)], fed.wall_s], ['centralised', centralOut, [], central_s]] as const) {
    const e = await evaluateAll(model, [...extra], join(work, method), method);
    backend = e.unseen;
    finalScores.set(method, curveScores(e));
    for (const level of ['patient', 'image'] as const) {
      rows.push({ method, level, ...pick(e.unseen.splits.all[level]), wall_s });
      if (e.unseenAdapted) rows.push({ method: `${method} + AdaBN at ${test[0].centre}`, level, ...pick(e.unseenAdapted.splits.all[level]), wall_s });
      inDist.push({ method, level, ...pick(e.held.splits.all[level]) });
      if (e.heldAdapted) inDist.push({ method: `${method} + AdaBN per centre`, level, ...pick(e.heldAdapted.splits.all[level]) });
    }
    log(`${method}: unseen ${test[0].centre} patient AUC ${e.unseen.splits.all.patient.auc?.toFixed(3)}; test split of ${train.map((c) => c.centre).join(',')} ${e.held.splits.all.patient.auc?.toFixed(3)}` +
      (e.heldAdapted && e.unseenAdapted ? ` (AdaBN per centre: ${e.unseenAdapted.splits.all.patient.auc?.toFixed(3)}; ${e.heldAdapted.splits.all.patient.auc?.toFixed(3)})` : ''));
  }
  // ---- learning curves ----
  const curve: CurvePoint[] = [];
  for (const round of points) {
    const last = round === args.rounds;
    const federated = last ? finalScores.get('federated')! : curveScores(await evaluateAll(fedModel, ['--weights', version(round)], join(work, 'curve', `federated-round-${round}`), `federated-round-${round}`));
    const centralised = last ? finalScores.get('centralised')! : curveScores(await evaluateAll(keptStep(round), [], join(work, 'curve', `centralised-step-${centralStepOf(round)}`), `centralised-step-${centralStepOf(round)}`));
    curve.push({ round, central_step: centralStepOf(round), federated, centralised });
    log(`curve: round ${round} (centralised step ${centralStepOf(round)}): ${test[0].centre} patient AUC federated ${federated.unseen_patient_auc.toFixed(3)}, centralised ${centralised.unseen_patient_auc.toFixed(3)}; ` +
      `pooled test, AdaBN per centre: federated ${federated.test_patient_auc_adabn.toFixed(3)}, centralised ${centralised.test_patient_auc_adabn.toFixed(3)}`);
  }
  const curveSummary = curve.length ? summariseCurve(curve, args.rounds) : null;

  const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
  // the command as given (every setting, defaults included, is in `config` below)
  const command = `npm run experiment -- ${['federated', ...argv].join(' ')}`;
  const json = {
    experiment: 'federated', command, train_centres: train.map((c) => c.centre), test_centres: test.map((c) => c.centre), wall_s,
    backend: backend?.backend, threads: backend?.threads, seed: args.seed, versions: backend?.versions, created: new Date().toISOString(),
    config: {
      size: size.name, synth: size.synth, model: modelName, rounds: args.rounds, local_epochs: args.localEpochs, patients_per_step: batch, sampling: args.sampling, lung_crop: args.lungCrop, norm: args.norm, input_norm: args.inputNorm, freeze_bn_from_round: args.freezeBnFrom ?? null, keep_optimizer_state: args.keepOptimizer, scanner_jitter: args.scannerJitter, weight_decay: args.weightDecay ?? named.config.weightDecay, max_slices_per_patient: maxSlicesPerPatient, lr,
      train_patients: Object.fromEntries(train.map((c, i) => [c.centre, perSite[i]])), central_steps: steps, strategy: runConfig.strategy, secure_aggregation: true, augmentation: 'per batch (both)',
    },
    rows, in_distribution: { split: 'test', centres: train.map((c) => c.centre), rows: inDist },
    federated: { run: fed.run, wall_s: fed.wall_s, summary: fed.summary }, centralised: { wall_s: central_s, out: centralOut, reused }, consortium_generated_s: generated_s, runs: work,
    curve: curve.length ? { every: args.curve, points: curve, summary: curveSummary } : null,
  };
  const f3 = (x: number) => x.toFixed(3);
  const ms = (m: MeanSd) => `${f3(m.mean)} ± ${f3(m.sd)}`;
  const both = (a: number, b: number) => `${f3(a)} / ${f3(b)}`;
  const curveMd = curveSummary ? [
    `Learning curves (\`--curve ${args.curve}\`): patient / slice AUC at ${test[0].centre} and on the pooled test split of ${json.train_centres.join(', ')}, both models at the same share of the budget; ` +
      `"per centre": every centre scored with its own batch-norm statistics (AdaBN per centre):`, '',
    markdownTable(curve.map((p) => ({ round: p.round, central_step: p.central_step,
      [`federated ${test[0].centre}`]: both(p.federated.unseen_patient_auc, p.federated.unseen_image_auc), [`centralised ${test[0].centre}`]: both(p.centralised.unseen_patient_auc, p.centralised.unseen_image_auc),
      'federated test': both(p.federated.test_patient_auc, p.federated.test_image_auc), 'centralised test': both(p.centralised.test_patient_auc, p.centralised.test_image_auc),
      [`federated ${test[0].centre}, per centre`]: both(p.federated.unseen_patient_auc_adabn, p.federated.unseen_image_auc_adabn), [`centralised ${test[0].centre}, per centre`]: both(p.centralised.unseen_patient_auc_adabn, p.centralised.unseen_image_auc_adabn),
      'federated test, per centre': both(p.federated.test_patient_auc_adabn, p.federated.test_image_auc_adabn), 'centralised test, per centre': both(p.centralised.test_patient_auc_adabn, p.centralised.test_image_auc_adabn) })),
      ['round', 'central_step', `federated ${test[0].centre}`, `centralised ${test[0].centre}`, 'federated test', 'centralised test', `federated ${test[0].centre}, per centre`, `centralised ${test[0].centre}, per centre`, 'federated test, per centre', 'centralised test, per centre']), '',
    `Mean ± sd over the ${curveSummary.points} points after round ${curveSummary.from_round}, federated vs centralised: ${test[0].centre} patient AUC ${ms(curveSummary.federated.unseen_patient_auc)} vs ${ms(curveSummary.centralised.unseen_patient_auc)}; ` +
      `${test[0].centre} slice AUC ${ms(curveSummary.federated.unseen_image_auc)} vs ${ms(curveSummary.centralised.unseen_image_auc)}; test-split patient AUC ${ms(curveSummary.federated.test_patient_auc)} vs ${ms(curveSummary.centralised.test_patient_auc)}. ` +
      `Per centre: ${test[0].centre} patient AUC ${ms(curveSummary.federated.unseen_patient_auc_adabn)} vs ${ms(curveSummary.centralised.unseen_patient_auc_adabn)}; test-split patient AUC ${ms(curveSummary.federated.test_patient_auc_adabn)} vs ${ms(curveSummary.centralised.test_patient_auc_adabn)}.`, '',
  ] : [];
  const md = [
    `# Federated vs centralised classifier on the synthetic consortium${args.quick ? ' (--quick)' : ''}`, '',
    `\`${command}\`: trained on the train split of centres ${json.train_centres.join(', ')} (${perSite.join(' + ')} patients), tested on every patient of the unseen centre ${json.test_centres.join(', ')}. ` +
      `Federated: ${train.length} site agents, ${strategyLabel(runConfig.strategy)} with secure aggregation, ${args.rounds} rounds × ${args.localEpochs} local epoch(s). Centralised: the pooled data, ${steps} steps (the federation's total). ` +
      `Same network (${modelName}), lr ${lr}, ${batch} patients per step (${args.sampling}), ≤ ${maxSlicesPerPatient} slices per patient, per-batch augmentation. Backend ${json.backend}, seed ${args.seed}, wall time ${wall_s} s, ${json.created}.`, '',
    markdownTable(rows, ['method', 'level', 'n', 'acc', 'sensitivity', 'specificity', 'auc', 'wall_s']), '',
    `In distribution (pooled test split of ${json.train_centres.join(', ')}):`, '',
    markdownTable(inDist, ['method', 'level', 'n', 'acc', 'sensitivity', 'specificity', 'auc']), '',
    ...curveMd,
  ].join('\n');
  const paths = await writeResults(args.results, 'federated', json, md);
  log(`wrote ${paths.json} and ${paths.md} (${wall_s} s)`);
  process.stdout.write(md);
}
