import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

const at = new Date('2026-01-02T03:04:05.000Z');

describe('logger', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'json', write: (l) => lines.push(l), now: () => at, base: { component: 'site' } });
    log.info('manifest checked', { good: 3, bad: 1 });
    log.debug('hidden at the default level');
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'manifest checked', component: 'site', good: 3, bad: 1 }]);
  });

  it('writes short human lines, quoting values with spaces, and filters by level', () => {
    const lines: string[] = [];
    const log = createLogger({ format: 'human', level: 'warn', write: (l) => lines.push(l) });
    log.info('not shown');
    log.warn('bad entry', { row: 2, reason: 'no such file', shape: [1, 2] });
    log.error('stop');
    expect(lines).toEqual(['warn: bad entry  row=2 reason="no such file" shape=[1,2]', 'error: stop']);
  });
});
