/**
 * `unbox-site train --task classify|segment --manifest <m...> [--config <c.json>] --out <dir> [--resume]`:
 * local training on the site's manifest(s); tfjs checkpoints in <out>/checkpoint, the evaluation
 * JSON (every split and centre, with backend, config, seed, versions) in <out>/evaluation.json.
 */
import { Command, Option } from 'commander';
import { loggerFor } from '../context.js';
import { loadTrainConfig, TaskName } from '../training/config.js';
import { runTraining } from '../training/train-run.js';

interface Flags {
  task: TaskName;
  manifest: string[];
  config?: string;
  out: string;
  resume?: boolean;
  groundTruth?: string[];
  json?: boolean;
}

export function createTrainCommand(): Command {
  return new Command('train')
    .description('train the classifier or the segmenter on this site\'s manifest(s); checkpoints and an evaluation JSON go to --out')
    .addOption(new Option('--task <task>', 'what to train').choices(TaskName.options).makeOptionMandatory())
    .requiredOption('--manifest <files...>', 'site manifest(s) (.json or .csv); train split for training, every split evaluated')
    .option('--config <file>', 'training config JSON (seed, steps, batches, model; see docs/experiments.md); defaults when left out')
    .requiredOption('--out <dir>', 'output folder: checkpoint/ (tfjs model, optimizer, state) and evaluation.json')
    .option('--resume', 'continue the checkpoint in --out from its saved step')
    .option('--ground-truth <files...>', 'ground-truth index(es) for evaluation only (synthetic consortium: slice labels, thin-slice masks)')
    .option('--json', 'print the evaluation JSON on stdout')
    .action(async (f: Flags, cmd: Command) => {
      const log = loggerFor(cmd);
      const jsonLogs = (cmd.optsWithGlobals() as { logFormat?: string }).logFormat === 'json';
      const config = f.config ? await loadTrainConfig(f.task, f.config) : undefined;
      const t0 = performance.now();
      const r = await runTraining({ task: f.task, manifests: f.manifest, config, out: f.out, resume: f.resume, groundTruth: f.groundTruth, log, json: jsonLogs });
      const wall_s = +((performance.now() - t0) / 1000).toFixed(1);
      log.info('training finished', { evaluation: r.evaluationPath, checkpoint: r.checkpoint, wall_s, backend: r.evaluation.backend });
      if (f.json) process.stdout.write(JSON.stringify(r.evaluation, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
      else process.stdout.write(`${r.evaluationPath}\n`);
    });
}
