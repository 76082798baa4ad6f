/**
 * `unbox-site enroll --coordinator <url> --token <token> [--site-dir <dir>]`: creates this site's
 * Ed25519 identity (identity.json, mode 0600, in the site folder) and registers its public key
 * with the coordinator using the one-time token from `unbox-coordinator site add`.
 */
import { Command } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { enrollSite } from '../federation/enroll.js';
import { IdentityError } from '../federation/identity.js';

export function enrollCommand(): Command {
  return new Command('enroll')
    .description("register this site with the coordinator (creates the site's Ed25519 identity)")
    .requiredOption('--coordinator <url>', 'coordinator address, e.g. https://coordinator.example.org')
    .requiredOption('--token <token>', 'one-time enrollment token from `unbox-coordinator site add`')
    .option('--site-dir <dir>', 'folder for the identity and state of this site', process.env.UNBOX_SITE_DIR ?? 'site')
    .option('--force', 'replace an existing identity')
    .action(async (f: { coordinator: string; token: string; siteDir: string; force?: boolean }, cmd: Command) => {
      const log = loggerFor(cmd);
      try {
        const r = await enrollSite({ coordinator: f.coordinator, token: f.token, siteDir: f.siteDir, force: f.force });
        log.info('enrolled', { site: r.siteId, identity: r.path });
        process.stdout.write(JSON.stringify({ site_id: r.siteId, identity: r.path }) + '\n');
      } catch (e) {
        if (e instanceof IdentityError) throw new UserError(e.message);
        throw e;
      }
    });
}
