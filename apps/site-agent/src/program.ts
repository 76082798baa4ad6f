/** The `unbox-site` command tree: wiring only; each command lives in its own file under commands/. */
import { Command, Option } from 'commander';
import { dataCheckCommand } from './commands/data-check.js';
import { dataInspectCommand } from './commands/data-inspect.js';
import { createDataSynthCommand } from './commands/data-synth.js';
import { createEvalCommand } from './commands/eval.js';
import { createExplainCommand } from './commands/explain.js';
import { createServeCommand } from './commands/serve.js';
import { createTrainCommand } from './commands/train.js';
import { createUserCommand } from './commands/user.js';
import { enrollCommand } from './commands/enroll.js';
import { joinCommand } from './commands/join.js';
import { EXIT } from './errors.js';
import { createLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat } from './logger.js';

/**
 * `logFormat` (read from argv before parsing) routes commander's own usage errors through the
 * logger too, so a log collector sees JSON lines only.
 */
export function buildProgram(logFormat: LogFormat = 'human'): Command {
  const program = new Command('unbox-site')
    .description('Unbox site agent: local data, local training and explanations for one hospital')
    .addOption(new Option('--log-format <format>', 'log lines on stderr').choices(LOG_FORMATS).default('human'))
    .addOption(new Option('--log-level <level>', 'least severe level logged').choices(LOG_LEVELS).default('info'))
    .addHelpText(
      'after',
      `\nExit codes: ${EXIT.ok} ok; ${EXIT.badEntries} data check found bad entries; ${EXIT.userError} invalid input or configuration (the message says what to fix); ${EXIT.internal} internal error (please report).`,
    );
  const data = program.command('data').description('inspect, check and generate site data');
  data.addCommand(dataInspectCommand());
  data.addCommand(dataCheckCommand());
  data.addCommand(createDataSynthCommand());
  program.addCommand(createTrainCommand());
  program.addCommand(createEvalCommand());
  program.addCommand(createExplainCommand());
  program.addCommand(createServeCommand());
  program.addCommand(createUserCommand());
  program.addCommand(enrollCommand());
  program.addCommand(joinCommand());
  const log = createLogger({ format: logFormat });
  forEachCommand(program, (c) => {
    c.exitOverride();
    if (logFormat === 'json') c.configureOutput({ outputError: (str) => log.error(str.trim().replace(/^error: /, '')) });
    else c.showHelpAfterError(`(run "${commandPath(c)} --help" for usage)`);
  });
  return program;
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}

function forEachCommand(c: Command, f: (c: Command) => void): void {
  f(c);
  for (const sub of c.commands) forEachCommand(sub, f);
}
