/** The `unbox-site` command tree: wiring only; each command lives in its own file under commands/. */
import { Command, Option } from 'commander';
import { dataCheckCommand } from './commands/data-check.js';
import { dataInspectCommand } from './commands/data-inspect.js';
import { createDataSynthCommand } from './commands/data-synth.js';
import { EXIT } from './errors.js';
import { LOG_FORMATS, LOG_LEVELS } from './logger.js';

export function buildProgram(): Command {
  const program = new Command('unbox-site')
    .description('Unbox site agent: local data, local training and explanations for one hospital')
    .addOption(new Option('--log-format <format>', 'log lines on stderr').choices(LOG_FORMATS).default('human'))
    .addOption(new Option('--log-level <level>', 'least severe level logged').choices(LOG_LEVELS).default('info'))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.ok} ok; ${EXIT.badEntries} data check found bad entries; ${EXIT.userError} invalid input or configuration (the message says what to fix); ${EXIT.internal} internal error (please report).`,
    );
  const data = program.command('data').description('inspect, check and generate site data');
  data.addCommand(dataInspectCommand());
  data.addCommand(dataCheckCommand());
  data.addCommand(createDataSynthCommand());
  forEachCommand(program, (c) => c.exitOverride());
  return program;
}

function forEachCommand(c: Command, f: (c: Command) => void): void {
  f(c);
  for (const sub of c.commands) forEachCommand(sub, f);
}
