import { describe, expect, it } from 'vitest';
import { pool } from './pool.js';

describe('pool', () => {
  it('keeps at most `jobs` tasks in flight and returns results in input order', async () => {
    let running = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10];
    const out = await pool(delays, 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 2;
    });
    expect(out).toEqual([60, 10, 40, 2, 20]);
    expect(peak).toBe(2);
  });

  it('one job runs sequentially; a failure rejects the pool', async () => {
    // the order alone would pass with any `jobs` (workers start in input order): count the overlap
    const order: string[] = [];
    await pool([1, 2, 3], 1, async (x) => {
      order.push(`start ${x}`);
      await new Promise((r) => setTimeout(r, 3 - x));
      order.push(`end ${x}`);
    });
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    await expect(pool([1, 2], 4, async (x) => { if (x === 2) throw new Error('run 2 failed'); return x; })).rejects.toThrow('run 2 failed');
  });
});
