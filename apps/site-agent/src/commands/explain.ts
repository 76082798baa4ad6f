/**
 * `unbox-site explain --model <dir> --manifest <m...> --patient <id> --out <dir>`: one patient's
 * explanation (explanation.json + PNGs, notes/result-formats.md) from the saved model.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { computeExplanation, explainParams, writeExplanation } from '../explain/run.js';
import { loadLesionIndex, patientRows } from '../explain/patient-scan.js';
import { loadSiteModel } from '../explain/site-model.js';

interface Flags {
  model: string;
  manifest: string[];
  patient: string;
  out: string;
  slices: string;
  top: number;
  segments: number;
  limeSamples: number;
  shapSamples?: number;
  fill: string;
  seed: number;
  groundTruth?: string[];
  randomiseWeights?: number;
  json?: boolean;
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

export function explainOptions(cmd: Command): Command {
  return cmd
    .option('--slices <which>', 'top (the highest-scoring slices), all, or slice indices like 3,7', 'top')
    .option('--top <n>', 'how many slices "top" explains', positiveInt, 3)
    .option('--segments <n>', 'SLIC superpixels per slice (approximate)', positiveInt, 50)
    .option('--lime-samples <n>', 'LIME perturbation samples', positiveInt, 1000)
    .option('--shap-samples <n>', 'Kernel SHAP coalitions (default 2M + 2048)', positiveInt)
    .addOption(new Option('--fill <fill>', 'what hidden superpixels show (air = -1000 HU)').choices(['air', 'blur', 'mean', 'zero']).default('air'))
    .option('--seed <n>', 'seed of LIME and SHAP sampling', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
      return n;
    }, 0);
}

export function createExplainCommand(): Command {
  return explainOptions(
    new Command('explain')
      .description("explain one patient's prediction: SIM section logits, CAM overlays with boxes, LIME and Kernel SHAP maps (classifier), or ventricle overlays and the latent Dice map (segmenter)")
      .requiredOption('--model <dir>', 'train --out folder, or its checkpoint/ folder')
      .requiredOption('--manifest <files...>', "manifest(s) holding the patient's scans")
      .requiredOption('--patient <id>', 'patient id as in the manifest')
      .requiredOption('--out <dir>', 'folder for explanation.json and the PNGs'),
  )
    .option('--ground-truth <files...>', 'ground-truth index(es) (synthetic consortium): adds pointing game and lesion ranking figures')
    .option('--randomise-weights <seed>', 'sanity check (Adebayo et al. 2018): explain with every weighted layer re-drawn from this seed, not the trained weights', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
      return n;
    })
    .option('--json', 'print explanation.json on stdout')
    .action(async (f: Flags, cmd: Command) => {
      const log = loggerFor(cmd);
      const params = explainParams(f);
      const site = await loadSiteModel(f.model);
      const task = site.config.task;
      const byPatient = await patientRows(f.manifest, task);
      const rows = byPatient.get(f.patient);
      if (!rows) throw new UserError(`patient "${f.patient}" has no ${task} rows in ${f.manifest.join(', ')}`);
      const lesions = f.groundTruth?.length ? await loadLesionIndex(f.groundTruth) : undefined;
      log.info('explaining', { patient: f.patient, task, model: site.hash, backend: site.backend.backend, ...(f.randomiseWeights === undefined ? {} : { randomised_weights_seed: f.randomiseWeights }) });
      const e = await computeExplanation({
        site, rows, params, lesions, segmentRows: [...byPatient.values()].flat(), randomiseWeightsSeed: f.randomiseWeights,
        onProgress: (done, total, what) => log.debug('progress', { done, total, what }),
      });
      site.model.dispose();
      const path = await writeExplanation(f.out, e);
      log.info('explanation written', { out: path, pngs: e.pngs.size });
      process.stdout.write(f.json ? JSON.stringify(e.json) + '\n' : `${path}\n`);
    });
}
