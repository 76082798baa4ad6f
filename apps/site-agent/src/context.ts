import type { Command } from 'commander';
import { createLogger, type LogFormat, type Logger, type LogLevel } from './logger.js';

/** The logger for a command, from the global --log-format / --log-level options. */
export function loggerFor(cmd: Command): Logger {
  const o = cmd.optsWithGlobals() as { logFormat?: LogFormat; logLevel?: LogLevel };
  return createLogger({ format: o.logFormat ?? 'human', level: o.logLevel ?? 'info' });
}
