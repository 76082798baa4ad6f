/** `unbox-coordinator` entry point: operator mistakes print one line and exit 2; bugs keep their stack (exit 70). */
import { CommanderError } from 'commander';
import { AdminError } from './admin-client.js';
import { buildProgram } from './cli.js';

try {
  await buildProgram().exitOverride().parseAsync(process.argv);
} catch (e) {
  if (e instanceof AdminError) {
    process.stderr.write(`unbox-coordinator: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof CommanderError) process.exitCode = e.exitCode === 0 ? 0 : 2;
  else {
    process.stderr.write(`unbox-coordinator: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  }
}
