/**
 * `unbox-site serve --model <dir> --manifest <m...>`: the local explanation API for this site's
 * clinicians (src/serve/api.ts), bound to 127.0.0.1 unless --host says otherwise. The bearer
 * token is generated at first start into <site-dir>/serve-token (mode 0600); explanations are
 * cached under <site-dir>/explanations.
 */
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { loggerFor } from '../context.js';
import { UserError } from '../errors.js';
import { loadLesionIndex } from '../explain/patient-scan.js';
import { loadSiteModel } from '../explain/site-model.js';
import { createSiteApi } from '../serve/api.js';
import { ExplanationStore } from '../serve/store.js';
import { ensureToken } from '../serve/token.js';

interface Flags {
  model: string;
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
    .requiredOption('--model <dir>', 'train --out folder, or its checkpoint/ folder')
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
      const site = await loadSiteModel(f.model);
      const lesions = f.groundTruth?.length ? await loadLesionIndex(f.groundTruth) : undefined;
      const store = new ExplanationStore(join(f.siteDir, 'explanations'));
      const server = createSiteApi({ site, manifests: f.manifest, store, token, lesions, log });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(new UserError(`cannot listen on ${f.host}:${f.port}: ${e.code ?? e.message}`)));
        server.listen(f.port, f.host, () => resolve());
      });
      const addr = server.address();
      const url = typeof addr === 'object' && addr ? `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
      log.info('serving explanations', { url, model: site.hash, task: site.config.task, token_file: tokenPath, token_created: created });
      process.stdout.write(`${url}\n`);
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
