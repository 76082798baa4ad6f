import { describe, expect, it } from 'vitest';
import { sseFrame } from './sse.js';

describe('server-sent events', () => {
  it('frames one event as one data line, newlines inside strings escaped', () => {
    expect(sseFrame('round', { a: 'x\ny' })).toBe('event: round\ndata: {"a":"x\\ny"}\n\n');
  });
  it('refuses event names that could inject fields', () => {
    expect(() => sseFrame('run\ndata: x', {})).toThrow(/not allowed/);
  });
});
