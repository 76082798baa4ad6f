/**
 * `npm run experiment -- segment [--quick]`: Tables 4 and 5 on the synthetic consortium. Plain U-Net
 * (bilinear) vs sub-pixel decoder, both with LS+LT (Table 4), and the sub-pixel decoder with LS, LT
 * and LS+LT (Table 5). Each run: `unbox-site train` on the train split of centres A, B, C (thick
 * scans labelled, thin scans unlabelled), `unbox-site eval` on every scan of the unseen centre D,
 * whose thin-slice label maps come from its ground truth (evaluation only). Dice thick / thin /
 * mixed for CT and MRI. Runs go `--jobs` at a time (default 2, one engine thread each unless
 * UNBOX_THREADS says otherwise). Writes results/segment.json and results/segment.md.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { markdownTable, TABLE4_5_RUNS } from '@unbox/models';
import { withOverrides } from './args.js';
import { prepareExperiment } from './consortium.js';
import { pool } from './pool.js';
import { writeJson, writeResults } from './report.js';
import { progressLog, runSiteAgent } from './site-cli.js';

const log = (m: string) => process.stderr.write(`[segment] ${m}\n`);
const THICKNESS = ['thick', 'thin', 'mixed'] as const;

interface DiceStats { n: number; mean: number | null; per_class: (number | null)[] }
interface EvalFile { backend: string; threads: number; versions: unknown; splits: Record<string, { dice: Record<string, Partial<Record<(typeof THICKNESS)[number], DiceStats>>> }>; step_ms_median?: number; final_loss?: number }

export interface SegmentRow { decoder: string; loss: string; modality: string; thickness: string; n: number; dice: number; per_class: number[]; train_s: number }

/** One line per decoder/loss, columns modality × thickness (the layout of Tables 4 and 5). Pure. */
export function pivot(rows: SegmentRow[]): Record<string, string | number>[] {
  const runs = [...new Set(rows.map((r) => `${r.decoder}|${r.loss}`))];
  return runs.map((run) => {
    const [decoder, loss] = run.split('|');
    const line: Record<string, string | number> = { decoder, loss };
    for (const r of rows.filter((x) => x.decoder === decoder && x.loss === loss)) line[`${r.modality} ${r.thickness}`] = r.dice;
    return line;
  });
}

export async function main(argv: string[]): Promise<void> {
  const { args, size, t0, centres, generated_s, train, test, steps, work } = await prepareExperiment('segment', argv, log);
  // two runs at a time at one engine thread each use 2 cores better than one run at two threads
  const jobs = args.jobs ?? 2;
  if (jobs > 1) process.env.UNBOX_THREADS ??= '1';
  const perRun: Record<string, { train_s: number; step_ms_median?: number; final_loss?: number }> = {};
  const unseenFiles: EvalFile[] = [];
  const runRows = await pool(TABLE4_5_RUNS, jobs, async (run): Promise<SegmentRow[]> => {
    const name = `${run.decoder}-${run.loss}`;
    const out = join(work, name);
    await rm(out, { recursive: true, force: true });
    const config = withOverrides({
      task: 'segment', seed: args.seed, steps, checkpointEvery: Math.max(1, Math.ceil(steps / 4)), evalSplits: ['test'], batchSize: size.segment.batchSize,
      model: { ...size.segment.model, decoder: run.decoder, loss: run.loss },
    }, args.train);
    const cfgPath = join(work, `${name}.config.json`);
    await writeJson(cfgPath, config);
    log(`${run.decoder}/${run.loss}: training on ${train.map((c) => c.centre).join(', ')}`);
    const ts = performance.now();
    await runSiteAgent(['train', '--task', 'segment', '--manifest', ...train.map((c) => c.manifest), '--config', cfgPath, '--out', out], progressLog(log, name));
    const train_s = +((performance.now() - ts) / 1000).toFixed(1);
    await runSiteAgent(['eval', '--model', out, '--manifest', ...test.map((c) => c.manifest), '--ground-truth', ...test.map((c) => c.groundTruth), '--merge-splits', '--out', join(out, 'unseen.json')], progressLog(log, name));
    const trained = JSON.parse(await readFile(join(out, 'evaluation.json'), 'utf8')) as EvalFile;
    const unseen = JSON.parse(await readFile(join(out, 'unseen.json'), 'utf8')) as EvalFile;
    unseenFiles.push(unseen);
    perRun[`${run.decoder}/${run.loss}`] = { train_s, step_ms_median: trained.step_ms_median, final_loss: trained.final_loss };
    const mine: SegmentRow[] = [];
    for (const [modality, byThickness] of Object.entries(unseen.splits.all.dice)) {
      for (const thickness of THICKNESS) {
        const s = byThickness[thickness];
        if (s) mine.push({ decoder: run.decoder, loss: run.loss, modality, thickness, n: s.n, dice: s.mean ?? Number.NaN, per_class: s.per_class.map((x) => x ?? Number.NaN), train_s });
      }
    }
    log(`${run.decoder}/${run.loss}: ${mine.map((r) => `${r.modality} ${r.thickness} ${r.dice.toFixed(3)}`).join(', ')}; ${train_s} s, median step ${trained.step_ms_median} ms`);
    return mine;
  });
  const rows = runRows.flat();
  const unseen = unseenFiles.at(-1) ?? null;
  const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
  const json = {
    experiment: 'segment', train_centres: train.map((c) => c.centre), test_centres: test.map((c) => c.centre), wall_s,
    backend: unseen?.backend, threads: unseen?.threads, jobs, seed: args.seed, versions: unseen?.versions, created: new Date().toISOString(),
    config: { size: size.name, synth: size.synth, steps, batchSize: size.segment.batchSize, model: size.segment.model, train_overrides: args.train ?? null },
    rows, per_run: perRun, consortium_generated_s: generated_s, runs: work,
  };
  const table = pivot(rows);
  const cols = ['decoder', 'loss', ...['CT', 'MRI'].flatMap((m) => THICKNESS.map((t) => `${m} ${t}`))].filter((c) => table.some((r) => c in r));
  const md = [
    `# Tables 4 and 5 on the synthetic consortium${args.quick ? ' (--quick)' : ''}`, '',
    `\`npm run experiment -- segment${args.quick ? ' --quick' : ''}\`: trained on the train split of centres ${json.train_centres.join(', ')} (thick scans labelled, thin scans unlabelled), tested on every scan of the unseen centre ${json.test_centres.join(', ')}; ` +
      `backend ${json.backend} (${json.threads} thread${json.threads === 1 ? '' : 's'}, ${jobs} run${jobs === 1 ? '' : 's'} at a time), seed ${args.seed}, ${steps} steps per run${args.train ? `, train config overrides ${JSON.stringify(args.train)}` : ''}, wall time ${wall_s} s, ${json.created}.`,
    'Dice: per class averaged over slices (a ventricle absent from both prediction and truth does not count), then over the four ventricles. Table 4: the two LS+LT rows; Table 5: the subpixel rows.', '',
    markdownTable(table, cols), '',
  ].join('\n');
  const paths = await writeResults(args.results, 'segment', json, md);
  log(`wrote ${paths.json} and ${paths.md} (${wall_s} s)`);
  process.stdout.write(md + '\n');
}
