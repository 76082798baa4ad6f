/**
 * `unbox-site join [--site-dir <dir>] --features <csv>`: stays connected to the coordinator
 * (outbound only, reconnecting with back-off), trains when a round arrives, takes part in secure
 * aggregation and reports metrics. Local training here is the built-in logistic trainer over a
 * feature table; the tfjs classifier/segmenter trainers plug into the same LocalTrainer interface.
 */
import { join as joinPath } from 'node:path';
import { Command } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { SiteAgent } from '../federation/agent.js';
import { FeaturesError, readFeaturesCsv } from '../federation/features-csv.js';
import { IdentityError, loadIdentity } from '../federation/identity.js';
import { LogisticTrainer } from '../federation/logistic-trainer.js';

export function joinCommand(): Command {
  return new Command('join')
    .description('connect to the coordinator and take part in federated rounds until stopped')
    .option('--site-dir <dir>', 'folder holding identity.json from `unbox-site enroll`', process.env.UNBOX_SITE_DIR ?? 'site')
    .option('--coordinator <url>', 'override the coordinator address stored at enrollment')
    .requiredOption('--features <csv>', 'feature table for local training (split,label,features...)')
    .action(async (f: { siteDir: string; coordinator?: string; features: string }, cmd: Command) => {
      const log = loggerFor(cmd);
      let agent: SiteAgent;
      try {
        const identity = loadIdentity(f.siteDir);
        const trainer = new LogisticTrainer(identity.siteId, readFeaturesCsv(f.features));
        let refused: string | null = null;
        let done: () => void = () => undefined;
        agent = new SiteAgent(f.coordinator ?? identity.coordinator, {
          identity,
          trainer,
          peersPath: joinPath(f.siteDir, 'peers.json'),
          statePath: joinPath(f.siteDir, 'state.json'),
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
        if (e instanceof IdentityError || e instanceof FeaturesError) throw new UserError(e.message);
        throw e;
      }
    });
}
