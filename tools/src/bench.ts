/**
 * `npm run bench -- <what> [options]`: one JSON object per line on stdout (fields in
 * shared/notes/result-formats.md), progress on stderr. Each benchmark lives in ./bench/<what>.ts
 * and exports `main(args: string[]): Promise<void>`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(join(here, 'bench'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

const [what, ...rest] = process.argv.slice(2);
if (!what || !available.includes(what)) {
  process.stderr.write(`usage: npm run bench -- <${available.join('|')}> [options]\n`);
  process.exit(what ? 2 : 0);
}
const mod = (await import(join(here, 'bench', `${what}.ts`))) as { main(args: string[]): Promise<void> };
await mod.main(rest);
