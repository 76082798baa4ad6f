import { describe, expect, it } from 'vitest';
import { MessageRate } from './message-rate.js';

describe('message rate (token bucket)', () => {
  it('lets a burst through, then refills at perSecond (by hand: 4/s, burst 3)', () => {
    const r = new MessageRate({ perSecond: 4, burst: 3 }, 0);
    expect([r.take(0), r.take(0), r.take(0), r.take(0)]).toEqual([true, true, true, false]);
    expect(r.take(100)).toBe(false); // 0.4 token
    expect(r.take(250)).toBe(true); // 0.4 + 0.6 = 1.0 token
    expect(r.take(250)).toBe(false);
    // a long pause refills to the burst, no more
    expect([r.take(10_000), r.take(10_000), r.take(10_000), r.take(10_000)]).toEqual([true, true, true, false]);
    expect(r.dropped).toBe(4);
  });

  it('notices at most once a second, with the number dropped since the last notice', () => {
    const r = new MessageRate({ perSecond: 1, burst: 1 }, 0);
    r.take(0);
    r.take(0);
    r.take(0);
    expect(r.notice(0)).toBe(2);
    r.take(10);
    expect(r.notice(500)).toBeNull();
    expect(r.notice(1000)).toBe(1);
  });

  it('refuses a limit that would stop every message', () => {
    expect(() => new MessageRate({ perSecond: 0, burst: 5 }, 0)).toThrow(/perSecond must be > 0/);
    expect(() => new MessageRate({ perSecond: 5, burst: 0 }, 0)).toThrow(/burst ≥ 1/);
  });
});
