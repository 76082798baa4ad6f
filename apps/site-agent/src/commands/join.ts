/**
 * `unbox-site join [--site-dir <dir>] (--manifest <m.json>... --model <name> | --features <csv>)`:
 * stays connected to the coordinator (outbound only, reconnecting with back-off), trains when a
 * round arrives, takes part in secure aggregation and reports metrics. Local training: the tfjs
 * classifier on the site's manifest(s) (`--model classifier[:<px>][:lung][:gn]`, the run's model name), or
 * the built-in logistic trainer over a feature table. The site's own settings come from
 * <site-dir>/site.json (or --config): e.g. opting in to the consortium t-SNE. Every global model
 * this site evaluates is saved in <site-dir>/models/<task>/ (the `train --out` layout, so
 * `unbox-site serve --model <site-dir>/models/classify` serves the consortium's model).
 */
import { join as joinPath } from 'node:path';
import { Command } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { SiteAgent } from '../federation/agent.js';
import { FeaturesError, readFeaturesCsv } from '../federation/features-csv.js';
import { IdentityError, loadIdentity } from '../federation/identity.js';
import { LogisticTrainer } from '../federation/logistic-trainer.js';
import type { LocalTrainer } from '../federation/trainer.js';
import { ClassifierTrainer } from '../federation/trainers/classifier-trainer.js';
import { SegmenterTrainer } from '../federation/trainers/segmenter-trainer.js';
import { loadSiteConfig, SiteConfigError } from '../federation/site-config.js';
import type { SkippedRow } from '../training/manifests.js';

export function joinCommand(): Command {
  return new Command('join')
    .description('connect to the coordinator and take part in federated rounds until stopped')
    .option('--site-dir <dir>', 'folder holding identity.json from `unbox-site enroll`', process.env.UNBOX_SITE_DIR ?? 'site')
    .option('--coordinator <url>', 'override the coordinator address stored at enrollment')
    .option('--manifest <json...>', "the site's data manifest(s) for the tfjs trainer")
    .option('--model <name>', "the run's model: classifier[:<px>][:lung][:gn] or segmenter[:<px>][:gn] (with --manifest)", 'classifier')
    .option('--seed <n>', 'seed of the augmentation draws', (v) => Number(v), 1)
    .option('--features <csv>', 'feature table for the logistic trainer (split,label,features...)')
    .option('--config <json>', "the site's settings (default <site-dir>/site.json when present), e.g. {\"share_features\": {\"enabled\": true}}")
    .action(async (f: { siteDir: string; coordinator?: string; features?: string; manifest?: string[]; model: string; seed: number; config?: string }, cmd: Command) => {
      const log = loggerFor(cmd);
      let agent: SiteAgent;
      try {
        const identity = loadIdentity(f.siteDir);
        const siteConfig = loadSiteConfig(f.siteDir, f.config);
        const share = siteConfig.share_features;
        if (share.enabled) log.info('consortium t-SNE: this site shares pooled backbone features each round (site config)', { max_samples: share.max_samples, noise_sigma: share.noise_sigma });
        if ((f.features === undefined) === (f.manifest === undefined)) throw new UserError('give either --manifest (tfjs trainer) or --features (logistic trainer)');
        let trainer: LocalTrainer;
        if (f.manifest) {
          const o = {
            centre: identity.siteId, manifests: f.manifest, model: f.model, seed: f.seed,
            onSkipped: (s: SkippedRow) => log.warn('manifest row skipped', { manifest: s.manifest, row: s.row, patient: s.patient, reason: s.reason }),
          };
          const userError = (e: Error) => { throw new UserError(e.message); };
          if (f.model.startsWith('segmenter')) {
            const t = await SegmenterTrainer.create(o).catch(userError);
            log.info('local data loaded', { model: f.model, train_slices: t.trainSlices });
            trainer = t;
          } else {
            const t = await ClassifierTrainer.create(o).catch(userError);
            log.info('local data loaded', { model: f.model, train_patients: t.trainPatients });
            trainer = t;
          }
        } else trainer = new LogisticTrainer(identity.siteId, readFeaturesCsv(f.features!));
        let refused: string | null = null;
        let done: () => void = () => undefined;
        agent = new SiteAgent(f.coordinator ?? identity.coordinator, {
          identity,
          trainer,
          peersPath: joinPath(f.siteDir, 'peers.json'),
          statePath: joinPath(f.siteDir, 'state.json'),
          localPath: joinPath(f.siteDir, `local-${trainer.task ?? 'model'}`),
          modelsDir: joinPath(f.siteDir, 'models'),
          shareFeatures: share.enabled ? { maxSamples: share.max_samples, noiseSigma: share.noise_sigma } : null,
          on: {
            log: (level, line) => log[level](line),
            refused: (reason) => {
              refused = reason;
              done();
            },
            roundDone: (run, round, hash) => log.info('round done', { run, round, model: hash.slice(0, 12) }),
          },
        });
        agent.start();
        await new Promise<void>((resolve) => {
          done = resolve;
          const stop = () => {
            agent.stop();
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        if (refused !== null) throw new UserError(`the coordinator refused this site: ${refused}`);
      } catch (e) {
        if (e instanceof IdentityError || e instanceof FeaturesError || e instanceof SiteConfigError) throw new UserError(e.message);
        throw e;
      }
    });
}
