/**
 * Structured logs on stderr (stdout stays for command output): JSON lines with --log-format json,
 * for log collectors at a hospital; short human lines otherwise.
 */
export type LogFormat = 'human' | 'json';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LoggerOptions {
  format: LogFormat;
  level?: LogLevel;
  /** where lines go; stderr by default. */
  write?: (line: string) => void;
  /** fixed fields on every line (e.g. component). */
  base?: LogFields;
  now?: () => Date;
}

function humanValue(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const min = RANK[opts.level ?? 'info'];
  const now = opts.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[level] < min) return;
    if (opts.format === 'json') {
      write(JSON.stringify({ time: now().toISOString(), level, msg, ...opts.base, ...fields }));
      return;
    }
    const extra = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${humanValue(v)}`)
      .join(' ');
    const prefix = level === 'info' ? '' : `${level}: `;
    write(`${prefix}${msg}${extra ? `  ${extra}` : ''}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
