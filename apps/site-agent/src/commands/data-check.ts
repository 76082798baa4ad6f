/**
 * `unbox-site data check <manifest...>`: every bad entry with its reason; exit 1 if any entry was
 * bad, 2 if a manifest could not be used at all (the other manifests are still checked).
 */
import { Command, InvalidArgumentError } from 'commander';
import { checkManifest, readVolume, type ManifestCheck } from '@unbox/data';
import { loggerFor } from '../context.js';
import { EXIT, isUserError } from '../errors.js';

export function formatCheck(res: ManifestCheck): string {
  const m = res.manifest;
  const total = res.good.length + res.bad.length;
  const lines = [`manifest ${m.path} (${m.format}, centre ${m.centre}): ${total} entries, ${res.good.length} good, ${res.bad.length} bad`];
  for (const b of res.bad) {
    const where = b.line !== undefined ? `row ${b.row} (line ${b.line})` : `row ${b.row}`;
    lines.push(`  ${where}, patient ${b.patient ?? '?'}: ${b.kind}: ${b.reason}`);
  }
  return lines.join('\n');
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('must be a whole number from 1 to 64');
  return n;
}

export function dataCheckCommand(): Command {
  return new Command('check')
    .description('validate a site manifest: report every bad entry (missing or unreadable file, wrong dimensions, unknown label, bad field) and load the rest')
    .argument('<manifest...>', 'manifest file(s) (.json or .csv; see docs/manifest.md)')
    .option('--json', 'print the result as JSON (an array when several manifests are given)')
    .option('--concurrency <n>', 'images decoded at the same time', positiveInt, 2)
    .action(async (manifests: string[], opts: { json?: boolean; concurrency: number }, cmd: Command) => {
      const log = loggerFor(cmd);
      // Human mode already prints every bad entry on stdout; log collectors (json) get one line each.
      const jsonLogs = (cmd.optsWithGlobals() as { logFormat?: string }).logFormat === 'json';
      const results: unknown[] = [];
      let exit: number = EXIT.ok;
      for (const manifest of manifests) {
        let res: ManifestCheck;
        try {
          res = await checkManifest(manifest, {
            read: readVolume,
            concurrency: opts.concurrency,
            onRow: ({ row, ok }) => log.debug('checked row', { manifest, row, ok }),
          });
        } catch (e) {
          if (!isUserError(e)) throw e;
          // One unusable manifest does not stop the others.
          log.error(e.message);
          results.push({ manifest: { path: manifest }, error: e.message });
          exit = EXIT.userError;
          continue;
        }
        if (jsonLogs) for (const b of res.bad) log.warn('bad manifest entry', { manifest: res.manifest.path, row: b.row, line: b.line, patient: b.patient, kind: b.kind, reason: b.reason });
        if (opts.json) {
          results.push({
            manifest: res.manifest,
            good: res.good.map((g) => ({ row: g.row, patient: g.entry.patient, split: g.entry.split, label: g.entry.label ?? null, scans: g.scans, mask: g.mask ?? null })),
            bad: res.bad,
          });
        } else {
          process.stdout.write(formatCheck(res) + '\n');
        }
        log.info('manifest checked', { manifest: res.manifest.path, good: res.good.length, bad: res.bad.length });
        if (res.bad.length > 0 && exit === EXIT.ok) exit = EXIT.badEntries;
      }
      if (opts.json) process.stdout.write(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
      process.exitCode = exit;
    });
}
