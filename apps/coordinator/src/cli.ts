/**
 * `unbox-coordinator`: `serve` runs the service; every other command is a client of its admin REST
 * API (the same operations are available over HTTP, documented at /api/docs).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { AdminClient, AdminError, resolveAdminToken } from './admin-client.js';
import { defaultOptions } from './options.js';
import { userAdd, userList, userPassword, userRemove, type UserDbFlags } from './users/user-commands.js';

function positive(v: string): number {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

interface AdminFlags {
  url: string;
  token?: string;
  data?: string;
}

function admin(cmd: Command): AdminClient {
  const o = cmd.optsWithGlobals() as AdminFlags;
  return new AdminClient(o.url, resolveAdminToken(o));
}

const print = (v: unknown): void => {
  process.stdout.write(JSON.stringify(v, null, 2) + '\n');
};

export function buildProgram(): Command {
  const program = new Command('unbox-coordinator')
    .description('Unbox coordinator: federated rounds with secure aggregation, site enrollment, model registry')
    .option('--url <url>', 'coordinator address for admin commands', process.env.UNBOX_COORDINATOR_URL ?? 'http://127.0.0.1:8470')
    .option('--token <token>', 'admin token (default: UNBOX_ADMIN_TOKEN, or <data>/admin-token)')
    .option('--data <dir>', 'the coordinator data folder', process.env.UNBOX_COORDINATOR_DATA ?? 'coordinator-data');

  program
    .command('serve')
    .description('run the coordinator (SQLite in --data unless DATABASE_URL names PostgreSQL)')
    .option('--host <host>', 'address to listen on (put TLS in front, see docs/deployment.md)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', port, 8470)
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .option('--runs-dir <dir>', 'where runs/<run-id>/summary.json go (default <data>/runs)')
    .option('--secagg-clip <c>', 'secure aggregation: clip every update coordinate to ±c', positive, 2)
    .option('--secagg-max-weight <n>', 'secure aggregation: largest per-site sample count', positive, 65_536)
    .option('--stage-timeout <s>', 'secure aggregation: seconds a stage waits for sites', positive, 60)
    .option('--wait-poll <s>', 'seconds between looks for enough connected sites', positive, 1)
    .option('--retry-delay <s>', 'seconds before a failed round is retried', positive, 2)
    .action(async (f: { host: string; port: number; databaseUrl?: string; runsDir?: string; secaggClip: number; secaggMaxWeight: number; stageTimeout: number; waitPoll: number; retryDelay: number }, cmd: Command) => {
      const g = cmd.optsWithGlobals() as AdminFlags;
      const o = defaultOptions(resolve(g.data ?? 'coordinator-data'), {
        host: f.host,
        port: f.port,
        ...(f.databaseUrl ? { databaseUrl: f.databaseUrl } : {}),
        ...(f.runsDir ? { runsDir: resolve(f.runsDir) } : {}),
        secagg: { clip: f.secaggClip, maxWeight: Math.floor(f.secaggMaxWeight), stageTimeoutMs: f.stageTimeout * 1000 },
        waitPollMs: f.waitPoll * 1000,
        retryDelayMs: f.retryDelay * 1000,
      });
      // loaded here so the admin commands do not pay for NestJS start-up
      const { createCoordinator } = await import('./app/create-coordinator.js');
      let c;
      try {
        c = await createCoordinator(o);
      } catch (e) {
        // port in use, database unreachable, unreadable data folder: the operator can fix these
        throw new AdminError(`cannot start: ${(e as Error).message}`);
      }
      process.stdout.write(JSON.stringify({ listening: c.url, database: c.database.dialect, data: o.dataDir }) + '\n');
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void c.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  const site = program.command('site').description('enroll, list and revoke sites');
  site
    .command('add <site-id>')
    .description('register a site and print its one-time enrollment token')
    .option('--name <name>', 'display name')
    .action(async (id: string, f: { name?: string }, cmd: Command) => print(await admin(cmd).call('POST', '/api/sites', { site_id: id, ...(f.name ? { name: f.name } : {}) })));
  site.command('list').description('sites with status and connection').action(async (_f, cmd: Command) => print(await admin(cmd).call('GET', '/api/sites')));
  site
    .command('revoke <site-id>')
    .option('--reason <text>', 'why (kept in the database)')
    .action(async (id: string, f: { reason?: string }, cmd: Command) => print(await admin(cmd).call('POST', `/api/sites/${encodeURIComponent(id)}/revoke`, f.reason ? { reason: f.reason } : {})));

  const run = program.command('run').description('start, pause, resume, stop and inspect runs');
  run
    .command('start <config.json>')
    .description('start a run from a run config file (see libs/protocol run-config)')
    .action(async (file: string, _f, cmd: Command) => {
      let body: unknown;
      try {
        body = JSON.parse(await readFile(file, 'utf8'));
      } catch (e) {
        throw new AdminError(`${file}: ${(e as Error).message}`);
      }
      print(await admin(cmd).call('POST', '/api/runs', body));
    });
  for (const action of ['pause', 'resume', 'stop'] as const)
    run.command(`${action} <run-id>`).action(async (id: string, _f, cmd: Command) => print(await admin(cmd).call('POST', `/api/runs/${encodeURIComponent(id)}/control`, { action })));
  run.command('list').action(async (_f, cmd: Command) => print(await admin(cmd).call('GET', '/api/runs')));
  run.command('show <run-id>').action(async (id: string, _f, cmd: Command) => print(await admin(cmd).call('GET', `/api/runs/${encodeURIComponent(id)}`)));

  const user = program.command('user').description('dashboard accounts of consortium admins (written to the database directly: works before the first sign-in)');
  const db = (cmd: Command, f: { databaseUrl?: string }): UserDbFlags => ({ data: (cmd.optsWithGlobals() as AdminFlags).data, ...(f.databaseUrl ? { databaseUrl: f.databaseUrl } : {}) });
  user
    .command('add <username>')
    .description('add an account; password from --password-file, piped stdin, or generated and printed once')
    .option('--role <role>', 'admin (clinicians are accounts of their site agent)', 'admin')
    .option('--password-file <file>', "file holding the password ('-' = stdin)")
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else <data>/coordinator.db)')
    .action(async (name: string, f: { role: string; passwordFile?: string; databaseUrl?: string }, cmd: Command) => print(await userAdd(db(cmd, f), name, f.role, f.passwordFile)));
  user
    .command('list')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .action(async (f: { databaseUrl?: string }, cmd: Command) => print(await userList(db(cmd, f))));
  user
    .command('remove <username>')
    .description('remove an account (its sessions stop working at once)')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .action(async (name: string, f: { databaseUrl?: string }, cmd: Command) => print(await userRemove(db(cmd, f), name)));
  user
    .command('password <username>')
    .description('set a new password (ends the account\'s sessions)')
    .option('--password-file <file>', "file holding the password ('-' = stdin)")
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .action(async (name: string, f: { passwordFile?: string; databaseUrl?: string }, cmd: Command) => print(await userPassword(db(cmd, f), name, f.passwordFile)));

  const models = program.command('models').description('stored global model versions');
  models
    .command('list')
    .option('--run <run-id>', 'only this run')
    .action(async (f: { run?: string }, cmd: Command) => print(await admin(cmd).call('GET', `/api/models${f.run ? `?run=${encodeURIComponent(f.run)}` : ''}`)));
  models
    .command('export <run-id> <round>')
    .description('write a version in tfjs weights format (model.json + weights.bin)')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (id: string, round: string, f: { out: string }, cmd: Command) => {
      const a = admin(cmd);
      const base = `/api/models/${encodeURIComponent(id)}/${encodeURIComponent(round)}`;
      const json = await a.call('GET', `${base}/model.json`);
      const weights = await a.bytes(`${base}/weights.bin`);
      await mkdir(f.out, { recursive: true });
      await writeFile(join(f.out, 'model.json'), JSON.stringify(json, null, 1));
      await writeFile(join(f.out, 'weights.bin'), weights);
      print({ out: f.out, files: ['model.json', 'weights.bin'], bytes: weights.byteLength });
    });
  return program;
}
