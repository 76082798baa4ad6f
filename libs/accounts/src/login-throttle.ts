/**
 * Slows password guessing per account: after FREE failures in a row a username is locked for a
 * delay that doubles with each further failure (1 s, 2 s, 4 s … capped at MAX_MS); a success
 * clears it. Pure logic over a clock; counts are per process (a restart forgets them).
 */
export const FREE_FAILURES = 5;
export const MAX_LOCK_MS = 15 * 60_000;
/** Forget an account's failures after this long without any. */
const FORGET_MS = 60 * 60_000;

export class LoginThrottle {
  private readonly state = new Map<string, { failures: number; lockedUntil: number; last: number }>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds until `key` may try again (0 = now). */
  wait(key: string): number {
    const s = this.state.get(key);
    if (!s) return 0;
    const now = this.now();
    if (now - s.last > FORGET_MS) {
      this.state.delete(key);
      return 0;
    }
    return Math.max(0, s.lockedUntil - now);
  }

  failed(key: string): void {
    const now = this.now();
    const s = this.state.get(key) ?? { failures: 0, lockedUntil: 0, last: now };
    s.failures++;
    s.last = now;
    if (s.failures >= FREE_FAILURES) s.lockedUntil = now + Math.min(MAX_LOCK_MS, 1000 * 2 ** (s.failures - FREE_FAILURES));
    this.state.set(key, s);
    if (this.state.size > 100_000) for (const [k, v] of this.state) if (now - v.last > FORGET_MS) this.state.delete(k);
  }

  succeeded(key: string): void {
    this.state.delete(key);
  }
}
