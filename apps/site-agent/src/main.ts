/**
 * `unbox-site` entry point: parse, run, and turn errors into exit codes. Mistakes the operator can
 * fix print one clear message (no stack trace); anything else is a bug and keeps its stack.
 */
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { EXIT, isUserError } from './errors.js';
import { createLogger, type LogFormat } from './logger.js';

function logFormatFromArgv(argv: readonly string[]): LogFormat {
  const k = argv.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const v = k < 0 ? undefined : argv[k].includes('=') ? argv[k].split('=')[1] : argv[k + 1];
  return v === 'json' ? 'json' : 'human';
}

async function main(argv: string[]): Promise<void> {
  const format = logFormatFromArgv(argv);
  const log = createLogger({ format });
  try {
    await buildProgram(format).parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // commander has printed the message (or the help) already.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.userError;
    } else if (isUserError(e)) {
      log.error(e.message);
      process.exitCode = EXIT.userError;
    } else {
      const stack = (e as Error)?.stack;
      log.error(`internal error: ${(e as Error)?.message ?? String(e)}`, format === 'json' ? { stack } : {});
      if (format === 'human' && stack) process.stderr.write(stack + '\n');
      process.exitCode = EXIT.internal;
    }
  }
}

await main(process.argv);
