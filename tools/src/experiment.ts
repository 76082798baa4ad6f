/**
 * `npm run experiment -- <classify|segment|federated|explain> [--quick] [--seed n] [--steps n] [--data dir] [--results dir]`:
 * the paper's comparisons on the synthetic consortium (docs/experiments.md). Each experiment lives
 * in ./experiments/<name>.ts and exports `main(args)`; results go to results/<name>.{json,md}.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXPERIMENTS = ['classify', 'segment', 'federated', 'explain'] as const;
/** federated vs centralised (issue #4) has its own file and flags (--rounds, --local-epochs); explain (issue #5) takes --model, --patients, --slices */
const FILES: Partial<Record<string, string>> = { federated: 'federated-vs-central.ts' };
const here = dirname(fileURLToPath(import.meta.url));
const [what, ...rest] = process.argv.slice(2);
if (!what || !(EXPERIMENTS as readonly string[]).includes(what)) {
  process.stderr.write(`usage: npm run experiment -- <${EXPERIMENTS.join('|')}> [--quick] [--seed <n>] [--steps <n>] [--data <dir>] [--results <dir>]\n`);
  process.exit(what ? 2 : 0);
}
const mod = (await import(FILES[what] ? join(here, FILES[what]) : join(here, 'experiments', `${what}.ts`))) as { main(args: string[]): Promise<void> };
try {
  await mod.main(rest);
} catch (e) {
  process.stderr.write(`experiment ${what} failed: ${(e as Error).message}\n`);
  if (!/needs a value|unknown option|must be a whole number|must be one of|npm run experiment -- classify|--model /.test((e as Error).message)) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
  process.exitCode = 1;
}
