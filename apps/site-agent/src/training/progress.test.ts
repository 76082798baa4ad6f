import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createProgress, formatSeconds, progressLine } from './progress.js';

describe('training progress', () => {
  it('bar, step count, loss and throughput', () => {
    expect(progressLine(5, 20, 0.693147, 12.345, 10)).toBe('[###-------]  5/20  loss 0.6931  12.3 img/s');
    expect(formatSeconds(65.4)).toBe('1m05s');
    expect(formatSeconds(9.6)).toBe('10s');
  });

  it('terminal: redraws one line; otherwise one log line per ~5 % with img/s over recent steps', () => {
    const drawn: string[] = [];
    const tty = createProgress(4, createLogger({ format: 'human', write: () => {} }), { tty: true, write: (s) => drawn.push(s) });
    tty.update({ step: 1, loss: 1, images: 8, ms: 500 });
    tty.done();
    expect(drawn[0]).toMatch(/^\r\[#####---------------\] 1\/4 {2}loss 1\.0000 {2}16\.0 img\/s {2}eta 2s/);
    expect(drawn[1]).toBe('\n');
    const lines: string[] = [];
    const json = createProgress(40, createLogger({ format: 'json', write: (l) => lines.push(l) }), { json: true });
    for (let s = 1; s <= 40; s++) json.update({ step: s, loss: 0.5, images: 4, ms: 100 });
    expect(lines).toHaveLength(20);
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'step', step: 2, of: 40, loss: 0.5, img_per_s: 40, step_ms: 100 });
  });
});
