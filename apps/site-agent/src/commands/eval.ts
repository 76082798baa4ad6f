/** `unbox-site eval --model <dir> --manifest <m...> --out <file>`: a saved model evaluated on any manifest(s). */
import { Command, Option } from 'commander';
import { Split } from '@unbox/data';
import { loggerFor } from '../context.js';
import { runEvaluation } from '../training/eval-run.js';

interface Flags {
  model: string;
  manifest: string[];
  out: string;
  split?: Split[];
  mergeSplits?: boolean;
  groundTruth?: string[];
  adaptBn?: boolean;
  adaptOn?: Split[];
  weights?: string;
}

export function createEvalCommand(): Command {
  return new Command('eval')
    .description('evaluate a saved model (the --out folder of "unbox-site train") on manifest(s): metrics per split and centre')
    .requiredOption('--model <dir>', 'train --out folder, or its checkpoint/ folder')
    .requiredOption('--manifest <files...>', 'manifest(s) to evaluate on')
    .requiredOption('--out <file>', 'evaluation JSON to write')
    .addOption(new Option('--split <splits...>', 'splits to evaluate (default all)').choices(Split.options))
    .option('--merge-splits', 'pool the splits into one "all" (e.g. an unseen centre evaluated as a whole)')
    .option('--ground-truth <files...>', 'ground-truth index(es) for slice labels and thin-slice masks (synthetic consortium)')
    .option('--weights <dir>', 'score a global model version in the network of --model: a folder from "unbox-coordinator models export", or a coordinator round folder (checkpoints/<run>/round-<n>)')
    .option('--adapt-bn', "classifier: score each centre after re-estimating the batch-norm statistics on its own evaluated scans, without labels (AdaBN: the model adapted to that centre's scanner, as a site keeping its own statistics scores it)")
    .addOption(new Option('--adapt-on <splits...>', "with --adapt-bn: take each centre's statistics from the scans of these splits (e.g. all of a site's scans) instead of the evaluated ones").choices(Split.options))
    .action(async (f: Flags, cmd: Command) => {
      const log = loggerFor(cmd);
      const ev = await runEvaluation({ model: f.model, manifests: f.manifest, out: f.out, splits: f.split, merge: f.mergeSplits, groundTruth: f.groundTruth, adaptBn: f.adaptBn, adaptSplits: f.adaptOn, weights: f.weights, log });
      log.info('evaluation written', { out: f.out, splits: Object.keys(ev.splits).join(','), backend: ev.backend });
      process.stdout.write(`${f.out}\n`);
    });
}
