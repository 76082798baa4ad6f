/**
 * `unbox-site serve --model <dir...> --manifest <m...>`: the local API for this site's clinicians
 * and the dashboard's site view (src/serve/api.ts), bound to 127.0.0.1 unless --host says
 * otherwise; one model per task (a classifier and/or a segmenter). The service bearer token is
 * generated at first start into <site-dir>/serve-token (mode 0600); clinicians sign in with the
 * accounts of `unbox-site user` (<site-dir>/users.json), their sessions signed with
 * <site-dir>/session-secret (0600), signed-out sessions kept in <site-dir>/revoked-tokens.json until
 * they expire; explanations are cached under <site-dir>/explanations.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { loadLesionIndex } from '../explain/patient-scan.js';
import { loadSiteModel } from '../explain/site-model.js';
import { createSiteApi } from '../serve/api.js';
import { SiteAuth } from '../serve/auth.js';
import { RevokedTokens, revokedTokensPath } from '../serve/revoked-tokens.js';
import { loadOrCreateSessionSecret, SiteSessions } from '../serve/sessions.js';
import { UserDirectory, usersPath } from '../serve/users.js';
import { ExplanationStore } from '../serve/store.js';
import { ensureToken } from '../serve/token.js';

interface Flags {
  model: string[];
  site?: string;
  manifest: string[];
  port: number;
  host: string;
  siteDir: string;
  tokenFile?: string;
  groundTruth?: string[];
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0..65535 (0 = any free port)');
  return n;
}

export function createServeCommand(): Command {
  return new Command('serve')
    .description("serve explanations of this site's patients to its clinicians over a local, token-authenticated HTTP API")
    .requiredOption('--model <dirs...>', 'train --out folder(s), or their checkpoint/ folders: one per task (classify and/or segment)')
    .option('--site <id>', "this site's id in GET /site and its sessions (default: identity.json's site_id, else the site folder's name)")
    .requiredOption('--manifest <files...>', "this site's manifest(s)")
    .option('--port <n>', 'TCP port (0 = any free port)', port, 8731)
    .option('--host <addr>', 'address to bind (default loopback only)', '127.0.0.1')
    .option('--site-dir <dir>', 'site folder: token and explanation cache', process.env.UNBOX_SITE_DIR ?? 'site')
    .option('--token-file <file>', 'bearer token file (default <site-dir>/serve-token; generated 0600 when absent)')
    .option('--ground-truth <files...>', 'ground-truth index(es) (synthetic consortium): lesion figures in explanations')
    .action(async (f: Flags, cmd: Command) => {
      const log = loggerFor(cmd);
      const tokenPath = f.tokenFile ?? join(f.siteDir, 'serve-token');
      const { token, created } = ensureToken(tokenPath);
      const models = [];
      for (const dir of f.model) models.push(await loadSiteModel(dir));
      const lesions = f.groundTruth?.length ? await loadLesionIndex(f.groundTruth) : undefined;
      const store = new ExplanationStore(join(f.siteDir, 'explanations'));
      const siteId = f.site ?? siteIdOf(f.siteDir);
      const auth = new SiteAuth(token, new UserDirectory(usersPath(f.siteDir)), new SiteSessions(loadOrCreateSessionSecret(f.siteDir), siteId, Date.now, undefined, new RevokedTokens(revokedTokensPath(f.siteDir))));
      const server = createSiteApi({ models, manifests: f.manifest, store, token, auth, siteId, lesions, log });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`cannot listen on ${f.host}:${f.port}: ${e.code ?? e.message}`)));
        server.listen(f.port, f.host, () => resolve());
      });
      const addr = server.address();
      const url = typeof addr === 'object' && addr ? `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
      log.info('serving explanations', { url, site: siteId, models: models.map((m) => `${m.config.task}:${m.hash}`).join(' '), token_file: tokenPath, token_created: created });
      process.stdout.write(`${url}\n`);
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

/** The enrolled site id (identity.json), else the site folder's name. */
function siteIdOf(siteDir: string): string {
  const path = join(siteDir, 'identity.json');
  if (existsSync(path)) {
    try {
      const id = (JSON.parse(readFileSync(path, 'utf8')) as { site_id?: unknown }).site_id;
      if (typeof id === 'string' && id) return id;
    } catch {
      // unreadable identity: fall back to the folder name (federation reports the identity's problem)
    }
  }
  return basename(resolve(siteDir));
}
