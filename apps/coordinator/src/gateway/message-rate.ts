/**
 * Per-connection message rate limit: a token bucket (capacity `burst`, refilled at `perSecond`),
 * so a site may send a burst (a model's tensor chunks) but not flood the coordinator. A message
 * over the limit is dropped before it is parsed or queued; the connection stays open, and is told
 * at most once a second, so a flood cannot make the coordinator flood back. Pure: the clock is given.
 */
export interface MessageRateLimit {
  perSecond: number;
  burst: number;
}

export const DEFAULT_MESSAGE_RATE: MessageRateLimit = { perSecond: 100, burst: 5000 };

export class MessageRate {
  private tokens: number;
  private last: number;
  private lastNotice = -Infinity;
  /** messages dropped since the last notice */
  dropped = 0;

  constructor(
    private readonly limit: MessageRateLimit,
    now: number,
  ) {
    if (!(limit.perSecond > 0 && limit.burst >= 1)) throw new Error(`message rate limit: perSecond must be > 0 and burst ≥ 1 (got ${limit.perSecond}, ${limit.burst})`);
    this.tokens = limit.burst;
    this.last = now;
  }

  /** Takes one message's token; false when the connection is over its limit. */
  take(now: number): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** Whether to tell the peer now (once a second at most); resets the dropped count when so. */
  notice(now: number): number | null {
    if (now - this.lastNotice < 1000) return null;
    this.lastNotice = now;
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }
}
